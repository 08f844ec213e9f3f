import ArgumentParser
import Foundation
import TriplineCore
import TriplineCommandLine

/// `tripline parse`: normalise logs to NDJSON events.
struct ParseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse",
        abstract: "Print one normalised event per line as NDJSON.",
        discussion: """
        Reads syslog (sshd, PAM, sudo, su, account changes), NDJSON, JSON arrays and CSV with \
        a header row; the format is detected per file from its first line unless --format is \
        given. A folder gives the files directly inside it (a folder of host folders: each host's files); - reads standard input.

        Each output line has the fields timestamp, user, source_ip, event_type, action, \
        message, outcome (success|failure|unknown), host, program, pid, source_port, \
        auth_method, invalid_user, target_user, command, file and line (1-based), plus any \
        extra fields of structured input. The output is valid input again.

        A summary goes to standard error: lines read, events, and skipped lines per reason \
        with the file:line of the first few. The exit status is non-zero only when no input \
        could be read at all.
        """
    )

    @Argument(help: ArgumentHelp("Log files or folders to read (compressed ones too; journal files and folders); - for standard input.", valueName: "file"))
    var files: [String] = []

    @OptionGroup var parsing: ParseOptionGroup

    @Flag(name: .long, help: "Do not print the summary on standard error.")
    var quiet = false

    @Option(name: .long, help: ArgumentHelp("1: read and write on one thread; 2: read on a second thread while writing (the same output; default: 2 on a machine with two cores or more).", valueName: "n"))
    var threads: Int = min(2, ProcessInfo.processInfo.activeProcessorCount)

    func validate() throws {
        if threads != 1 && threads != 2 { throw ValidationError("--threads must be 1 or 2") }
    }

    func run() throws {
        let reader = parsing.reader()
        var out = BufferedOutput()
        var w = JSONWriter()
        guard !files.isEmpty || parsing.journal else { throw ValidationError("give the logs to read: files, folders, - for standard input, or --journal") }
        let inputs = parsing.inputs(files)
        w.bytes.reserveCapacity(1 << 17)
        // Events are written one after another into one buffer, written out every 64 KiB from
        // where they are (not copied once more, per event or per block).
        let summary = EventPipe.run(threads: threads, reading: { reader.read(paths: inputs, $0) }) { event in
            event.writeJSON(to: &w)
            w.bytes.append(0x0A)
            if w.bytes.count >= 1 << 16 {
                out.writeNow(w.bytes)
                w.bytes.removeAll(keepingCapacity: true)
            }
        }
        out.writeNow(w.bytes)
        if summary.nothingRead {
            printError(summary.nothingReadReport(command: "parse"))
            throw ExitCode(2)
        }
        if !quiet { printError(summary.report()) }
        // Done in part: some of the files named could not be read.
        if !summary.unreadable.isEmpty { throw ExitCode(1) }
    }
}
