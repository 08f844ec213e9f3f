import Foundation
import Logging
import MCP
import TriplineCore
import TriplineEngine

/// `tripline mcp`: the MCP server over standard input and output. Only protocol messages go to
/// standard output; the log goes to standard error.
public struct MCPServer: Sendable {
    public let tools: TriplineTools
    let logger: Logger

    public init(tools: TriplineTools, logger: Logger) {
        self.tools = tools
        self.logger = logger
    }

    /// Serves until the client closes standard input (or over `transport`, for tests).
    public func run(transport: (any Transport)? = nil) async throws {
        let server = Server(
            name: "tripline",
            version: TriplineBuild.version,
            instructions: "Tripline finds attacks in authentication logs. Analyse logs with analyze_logs or analyze_log_file, then use list_anomalies and explain_anomaly to investigate an entity.",
            capabilities: .init(tools: .init(listChanged: false)))
        let tools = self.tools
        let logger = self.logger
        await server.withMethodHandler(ListTools.self) { _ in
            ListTools.Result(tools: TriplineTools.tools)
        }
        await server.withMethodHandler(CallTool.self) { params in
            logger.info("tool call", metadata: ["tool": .string(params.name)])
            // Detection is CPU work: keep it off the protocol's own task.
            return await Task.detached { tools.call(params.name, params.arguments ?? [:]) }.value
        }
        try await server.start(transport: transport ?? StdioTransport(logger: logger))
        await server.waitUntilCompleted()
    }
}
