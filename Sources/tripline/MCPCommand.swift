import ArgumentParser
import Foundation
import TriplineCommandLine
#if canImport(Glibc)
import Glibc
#endif

/// `tripline mcp`: the MCP server for AI assistants, over stdio. The server is the program
/// `tripline-mcp` (see ``MCPOptions``), which this command runs in its own place (`execv`:
/// the same process, standard input and output, signals and exit status).
struct MCPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "Serve the MCP tools over stdio for AI assistants (Claude Desktop and others).",
        discussion: """
        Tools: load_anomaly_models, analyze_logs, analyze_log_file, get_detection_stats, \
        list_anomalies, explain_anomaly. analyze_log_file reads only regular files under the \
        allowed folders, each --allow and LOG_DIR (with neither: /var/log), compared after \
        following links; never the current directory unless it is named. The model is loaded \
        from the model folder at start when there is one. Standard output carries only the \
        protocol; the log goes to standard error. See claude_mcp_config.json for a desktop \
        assistant's entry. The server is the program tripline-mcp, installed beside tripline \
        or in ../libexec/tripline.
        """
    )

    @OptionGroup var options: MCPOptions

    func run() throws {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let places = MCPCommand.programPlaces(executable: exe)
        guard let program = places.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            printError("tripline mcp: the MCP server's program is missing (looked for \(places.joined(separator: " and "))): build it with 'swift build', or install with scripts/install.sh, which puts it in place")
            throw ExitCode(2)
        }
        let argv = [program] + options.arguments
        var cArgs = argv.map { strdup($0) }
        cArgs.append(nil)
        fflush(nil) // nothing is written before, but nothing buffered may be lost
        execv(program, &cArgs)
        let reason = String(cString: strerror(errno))
        printError("tripline mcp: could not run \(program): \(reason)")
        throw ExitCode(2)
    }

    /// Where `tripline-mcp` is looked for: beside the running binary (a build folder, or a
    /// prefix's `bin`), then in the prefix's `libexec/tripline` (what scripts/install.sh does).
    static func programPlaces(executable: String) -> [String] {
        let dir = (executable as NSString).deletingLastPathComponent
        let prefix = (dir as NSString).deletingLastPathComponent
        return [dir + "/tripline-mcp", prefix + "/libexec/tripline/tripline-mcp"]
    }
}
