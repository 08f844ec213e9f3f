import Foundation
import Logging
import MCP
import TriplineCore
import TriplineEngine

/// `tripline mcp`: the MCP server over standard input and output. Only protocol messages go to
/// standard output; the log goes to standard error.
public struct MCPServer: Sendable {
    public let tools: TriplineTools
    /// Where the analysing tools run: off the cooperative pool, a few at a time, so that a slow
    /// analysis never stops the server answering (see ``AnalysisQueue``).
    public let queue: AnalysisQueue
    let logger: Logger

    public init(tools: TriplineTools, logger: Logger, queue: AnalysisQueue = AnalysisQueue(waiting: 4)) {
        self.tools = tools
        self.logger = logger
        self.queue = queue
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
        let queue = self.queue
        await server.withMethodHandler(ListTools.self) { _ in
            ListTools.Result(tools: TriplineTools.tools)
        }
        await server.withMethodHandler(CallTool.self) { params in
            logger.info("tool call", metadata: ["tool": .string(params.name)])
            let name = params.name, arguments = params.arguments ?? [:]
            guard TriplineTools.heavy.contains(name) else { return tools.call(name, arguments) }
            // Detection is CPU work: on the analysis queue's threads, never the protocol's.
            let ticket: AnalysisQueue.Ticket
            do {
                ticket = try queue.admit()
            } catch {
                return CallTool.Result(content: [.text(text: String(describing: error), annotations: nil, _meta: nil)], isError: true)
            }
            defer { ticket.release() }
            return await ticket.run { tools.call(name, arguments) }
        }
        let trimmer = MemoryTuning.giveBackPeriodically { tools.service.compactIfNeeded() }
        defer { trimmer.cancel() }
        try await server.start(transport: transport ?? LineTransport(logger: logger))
        await server.waitUntilCompleted()
    }
}
