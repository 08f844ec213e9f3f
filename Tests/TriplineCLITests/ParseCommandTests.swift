import Foundation
import Testing
import TriplineCore

@Suite struct ParseCommandTests {
    @Test func helpListsTheCommandsAndTheFields() throws {
        let top = try CLIRunner.run(["--help"])
        #expect(top.status == 0)
        for word in ["parse", "generate", "bench"] { #expect(top.stdout.contains(word), "--help lacks \(word)") }
        let parse = try CLIRunner.run(["parse", "--help"])
        #expect(parse.status == 0)
        for word in ["source_ip", "outcome", "--format", "--year", "--timezone"] { #expect(parse.stdout.contains(word), "parse --help lacks \(word)") }
    }

    @Test func parsesAFileToNDJSONWithASummary() throws {
        let dir = try CLIRunner.tempDir()
        let log = dir.appendingPathComponent("auth.log")
        try """
        Mar 30 15:54:19 web-01 sshd[1234]: Failed password for invalid user admin from 203.0.113.45 port 50000 ssh2
        garbage line
        Mar 30 15:55:00 web-01 sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/id

        """.write(to: log, atomically: true, encoding: .utf8)
        let r = try CLIRunner.run(["parse", "--year", "2026", log.path])
        #expect(r.status == 0)
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        let first = try JSONParser.parse(String(lines[0]))
        #expect(first["source_ip"] == .string("203.0.113.45"))
        #expect(first["outcome"] == .string("failure"))
        #expect(first["line"] == .int(1))
        #expect(first["timestamp"] == .string("2026-03-30T15:54:19Z"))
        #expect(r.stderr.contains("3 lines read"), "\(r.stderr)")
        #expect(r.stderr.contains("\(log.path):2"), "the summary must name the skipped line: \(r.stderr)")
    }

    @Test func readsStandardInput() throws {
        let r = try CLIRunner.run(["parse", "-"], stdin: #"{"timestamp":"2026-01-15T10:00:00Z","user":"admin","source_ip":"10.0.0.100","event_type":"login","action":"failed","message":"x"}"# + "\n")
        #expect(r.status == 0)
        let v = try JSONParser.parse(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(v["file"] == .string("-"))
        #expect(v["outcome"] == .string("failure"))
    }

    /// The README's exit codes: nothing read is 2 (could not run); some of the files read is
    /// 1 (done in part: the rest is parsed, and the missing one named).
    @Test func missingInputFailsOnlyWhenNothingCouldBeRead() throws {
        let none = try CLIRunner.run(["parse", "/nonexistent/auth.log"])
        #expect(none.status == 2)
        #expect(none.stderr.contains("/nonexistent/auth.log") && none.stderr.contains("No such file"), "\(none.stderr)")
        let dir = try CLIRunner.tempDir()
        let log = dir.appendingPathComponent("ok.log")
        try "Mar 30 15:54:19 h sshd[1]: Invalid user x from 1.2.3.4 port 5\n".write(to: log, atomically: true, encoding: .utf8)
        let some = try CLIRunner.run(["parse", "/nonexistent/auth.log", log.path])
        #expect(some.status == 1)
        #expect(some.stdout.split(separator: "\n").count == 1)
        #expect(some.stderr.contains("could not read /nonexistent/auth.log"))
    }

    /// Output that cannot be written (a full disk: `/dev/full`) fails with a message, rather
    /// than ending quietly as if all had been written; a reader that goes away (`| head`) ends it
    /// without one.
    @Test func outputThatCannotBeWrittenFailsWithAMessage() throws {
        guard FileManager.default.fileExists(atPath: "/dev/full") else {
            print("skipped: this system has no /dev/full")
            return
        }
        let dir = try CLIRunner.tempDir()
        let log = dir.appendingPathComponent("auth.log")
        let line = "Mar 30 15:54:19 h sshd[1]: Invalid user x from 1.2.3.4 port 5\n"
        // More than one block of output (64 KiB), so that the block written on the way fails too.
        try String(repeating: line, count: 2000).write(to: log, atomically: true, encoding: .utf8)
        for threads in ["1", "2"] {
            let r = try ChildProcess.run("/bin/sh", ["-c", "exec \"$0\" parse --threads \(threads) \"$1\" > /dev/full", CLIRunner.binary.path, log.path])
            #expect(r.status == 1, "threads \(threads): \(r.status)")
            #expect(String(decoding: r.stderr, as: UTF8.self).contains("cannot write the output: No space left on device"), "\(String(decoding: r.stderr, as: UTF8.self))")
        }
    }

    @Test func badOptionsAreRejectedWithAUsefulMessage() throws {
        let f = try CLIRunner.run(["parse", "--format", "xml", "x.log"])
        #expect(f.status != 0 && f.stderr.contains("unknown format 'xml'"))
        let tz = try CLIRunner.run(["parse", "--timezone", "Mars/Olympus", "x.log"])
        #expect(tz.status != 0 && tz.stderr.contains("unknown time zone"))
    }

    @Test func outputIsNeverCorruptedByHostileText() throws {
        // Escape sequences in a user name come out as JSON escapes, not raw control bytes.
        let dir = try CLIRunner.tempDir()
        let log = dir.appendingPathComponent("evil.log")
        try "Mar 30 15:54:19 h sshd[1]: Invalid user \u{1B}]0;pwned\u{07}\u{1B}[31m from 1.2.3.4 port 5\n".write(to: log, atomically: true, encoding: .utf8)
        let r = try CLIRunner.run(["parse", log.path])
        #expect(!r.stdout.contains("\u{1B}") && !r.stdout.contains("\u{07}"))
        #expect(r.stdout.contains("\\u001b]0;pwned\\u0007"))
    }
}
