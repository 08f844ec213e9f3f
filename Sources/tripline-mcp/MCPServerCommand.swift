import ArgumentParser
import Foundation
import Logging
import TriplineCommandLine
import TriplineConfig
import TriplineCore
import TriplineEngine
import TriplineMCP

/// `tripline-mcp`: the MCP server for AI assistants, over stdio, which `tripline mcp` runs.
/// A program of its own so that the MCP SDK's libraries (FoundationNetworking, libcurl and
/// theirs) are loaded by it alone, not at the start of every other command.
@main
struct MCPServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tripline-mcp",
        abstract: "Serve the MCP tools over stdio for AI assistants (run as `tripline mcp`).",
        version: TriplineBuild.version
    )

    @OptionGroup var options: MCPOptions

    /// Loads the environment file as `tripline` does (when run by `tripline mcp`, whose
    /// environment it inherits, nothing changes: set variables are never replaced).
    static func main() async {
        MemoryTuning.limitArenas()
        do {
            if let envFile = DotEnv.defaultPath { try DotEnv.load(envFile) }
        } catch {
            printError("tripline mcp: \(error)")
            Foundation.exit(2)
        }
        await Self.main(nil)
    }

    func run() async throws {
        let env = ProcessInfo.processInfo.environment
        var roots: [String] = []
        if let logDir = env["LOG_DIR"], !logDir.isEmpty { roots.append(logDir) }
        roots += options.allow
        for a in options.allow where !FileManager.default.fileExists(atPath: a) {
            printError("tripline mcp: --allow \(a): no such folder")
            throw ExitCode(2)
        }
        guard options.maxFileMb > 0, options.maxInputMb > 0 else {
            printError("tripline mcp: --max-file-mb and --max-input-mb must be at least 1")
            throw ExitCode(2)
        }
        if roots.isEmpty {
            roots = [MCPOptions.defaultRoot]
            printError("tripline mcp: no --allow or LOG_DIR: analyze_log_file reads under \(MCPOptions.defaultRoot) only")
        }
        let file = try options.configFile.file()
        let service = AnalysisService(modelDirectory: options.model.resolved, overrides: file?.overrides ?? DetectionOverrides())
        var logger = Logger(label: "tripline.mcp") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = Logger.Level(rawValue: env["LOG_LEVEL"] ?? "") ?? .notice
        if let e = service.modelError { logger.notice("no model loaded yet", metadata: ["reason": .string(e)]) }
        let tools = TriplineTools(service: service, roots: AllowedRoots(roots), maxInputBytes: options.maxInputMb << 20,
                                  maxFileBytes: Int64(options.maxFileMb) << 20)
        try await MCPServer(tools: tools, logger: logger).run()
    }
}
