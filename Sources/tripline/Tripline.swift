import ArgumentParser
import Foundation
import TriplineConfig
import TriplineCore
import TriplineEngine
import TriplineCommandLine

/// The `tripline` command: a log anomaly detector for security operations.
@main
struct Tripline: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tripline",
        abstract: "Find brute force, password spraying, account takeover and other attacks in auth logs.",
        discussion: """
        Tripline reads sshd, PAM, sudo and su syslog lines as well as structured logs \
        (NDJSON, JSON arrays, CSV with the fields timestamp, user, source_ip, event_type, \
        action, message).
        """,
        version: TriplineVersion.string,
        subcommands: [DashboardCommand.self, ParseCommand.self, TrainCommand.self, AnalyzeCommand.self, GenerateCommand.self, EvaluateCommand.self, ServeCommand.self, MCPCommand.self, BatchCommand.self, ConfigCommand.self, ExportCommand.self, ExplainCommand.self, AlertCommand.self, BenchCommand.self],
        defaultSubcommand: DashboardCommand.self
    )
}

extension Tripline {
    /// Loads the environment file (see ``ConfigLocations``) into the environment for the
    /// variables not set already, then runs the command.
    static func main() async {
        MemoryTuning.limitArenas()
        let envFile = DotEnv.defaultPath
        do {
            if let envFile { try DotEnv.load(envFile) }
        } catch {
            printError("tripline: \(error)")
            Foundation.exit(2)
        }
        if let note = ConfigLocations.ignoredHere(usingConfig: ConfigLocations.configFile(explicit: explicitConfig()), env: envFile) {
            printError("tripline: \(note)")
        }
        // Arguments by their bytes: a file name that is not UTF-8 is opened as it was given.
        await Self.main(PathName.arguments())
    }

    /// The `--config FILE` on the command line, if any (read before the command is parsed).
    static func explicitConfig() -> String? {
        let args = CommandLine.arguments
        for (i, a) in args.enumerated() {
            if a == "--config", i + 1 < args.count { return args[i + 1] }
            if a.hasPrefix("--config=") { return String(a.dropFirst("--config=".count)) }
        }
        return nil
    }
}

/// The version this build reports.
enum TriplineVersion {
    static let string = TriplineBuild.version
}
