import ArgumentParser
import Foundation
import Logging
import TriplineCore
import TriplineEngine
import TriplineMCP

/// `tripline mcp`: the MCP server for AI assistants, over stdio.
struct MCPCommand: AsyncParsableCommand {
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
        assistant's entry.
        """
    )

    @OptionGroup var model: ModelDirOption

    @Option(name: .customLong("allow"), parsing: .upToNextOption,
            help: ArgumentHelp("Folders analyze_log_file may read (besides $LOG_DIR; with neither, /var/log).", valueName: "path"))
    var allow: [String] = []

    @Option(name: .long, help: ArgumentHelp("Largest file analyze_log_file reads, in MiB.", valueName: "MiB"))
    var maxFileMb: Int = 1024

    @Option(name: .long, help: ArgumentHelp("Largest logs argument analyze_logs takes, in MiB.", valueName: "MiB"))
    var maxInputMb: Int = 32

    /// Where analyze_log_file reads when no folder is named.
    static let defaultRoot = "/var/log"

    @OptionGroup var configFile: ConfigOption

    func run() async throws {
        let env = ProcessInfo.processInfo.environment
        var roots: [String] = []
        if let logDir = env["LOG_DIR"], !logDir.isEmpty { roots.append(logDir) }
        roots += allow
        for a in allow where !FileManager.default.fileExists(atPath: a) {
            printError("tripline mcp: --allow \(a): no such folder")
            throw ExitCode(2)
        }
        guard maxFileMb > 0, maxInputMb > 0 else {
            printError("tripline mcp: --max-file-mb and --max-input-mb must be at least 1")
            throw ExitCode(2)
        }
        if roots.isEmpty {
            roots = [MCPCommand.defaultRoot]
            printError("tripline mcp: no --allow or LOG_DIR: analyze_log_file reads under \(MCPCommand.defaultRoot) only")
        }
        let file = try configFile.file()
        let service = AnalysisService(modelDirectory: model.resolved, overrides: file?.overrides ?? DetectionOverrides())
        var logger = Logger(label: "tripline.mcp") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = Logger.Level(rawValue: env["LOG_LEVEL"] ?? "") ?? .notice
        if let e = service.modelError { logger.notice("no model loaded yet", metadata: ["reason": .string(e)]) }
        let tools = TriplineTools(service: service, roots: AllowedRoots(roots), maxInputBytes: maxInputMb << 20,
                                  maxFileBytes: Int64(maxFileMb) << 20)
        try await MCPServer(tools: tools, logger: logger).run()
    }
}
