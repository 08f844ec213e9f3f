import ArgumentParser
import Foundation
import Logging
import TriplineAlerts
import TriplineConfig
import TriplineCore
import TriplineEngine
import TriplineServer
import TriplineCommandLine

/// `tripline serve`: the REST API.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the REST API: analyze logs, list anomalies, health, metrics, OpenAPI.",
        discussion: """
        Routes: GET /health, /health/live, /health/ready, POST /analyze (JSON {"logs": [...]} or \
        text/plain log lines), POST /analyze/file (multipart upload or raw body), GET /anomalies, \
        GET /anomalies/{id}, GET /stats, POST /model/reload, GET /openapi.json, GET /docs, GET /metrics.

        Settings come from flags, then the environment (API_HOST, API_PORT, TRIPLINE_API_TOKEN, \
        TRIPLINE_RATE_LIMIT, TRIPLINE_MAX_BODY_BYTES, MODEL_DIR), then [api] in the config file. \
        Anomalies found go to the configured alert sinks (tripline alert --help) through a spool \
        in MODEL_DIR/alert_spool/serve. \
        With a token every route but health, metrics and the API description needs \
        'Authorization: Bearer TOKEN'; without one the server only listens on loopback. \
        SIGTERM or Ctrl-C stops it after the requests in flight. Access log on standard error.
        """
    )

    @Option(name: .long, help: ArgumentHelp("Address to listen on (default: $API_HOST, else 127.0.0.1).", valueName: "address"))
    var host: String?

    @Option(name: .long, help: ArgumentHelp("Port (default: $API_PORT, else 8000; 0 picks a free one).", valueName: "port"))
    var port: Int?

    @Option(name: .long, help: ArgumentHelp("Requests a minute per client (default 100; 0 turns the limit off).", valueName: "n"))
    var rateLimit: Int?

    @Option(name: .long, help: ArgumentHelp("Largest request body in bytes (default 33554432).", valueName: "bytes"))
    var maxBodyBytes: Int?

    @OptionGroup var model: ModelDirOption

    @OptionGroup var configFile: ConfigOption

    func run() async throws {
        let env = ProcessInfo.processInfo.environment
        let file = try configFile.file()
        var o = APIOptions()
        func envInt(_ name: String) throws -> Int? {
            guard let raw = env[name], !raw.isEmpty else { return nil }
            guard let v = Int(raw) else { throw ValidationError("environment variable \(name)='\(raw)' is not a whole number") }
            return v
        }
        o.host = host ?? env["API_HOST"].flatMap { $0.isEmpty ? nil : $0 } ?? file?.api.host ?? o.host
        o.port = try port ?? envInt("API_PORT") ?? file?.api.port ?? o.port
        o.token = env["TRIPLINE_API_TOKEN"].flatMap { $0.isEmpty ? nil : $0 } ?? file?.api.token
        o.rateLimitPerMinute = try rateLimit ?? envInt("TRIPLINE_RATE_LIMIT") ?? file?.api.rateLimit ?? o.rateLimitPerMinute
        o.maxBodyBytes = try maxBodyBytes ?? envInt("TRIPLINE_MAX_BODY_BYTES") ?? file?.api.maxBodyBytes ?? o.maxBodyBytes
        if let problem = o.problem() {
            printError("tripline serve: \(problem)")
            throw ExitCode(2)
        }
        let alertSettings = try Alerting.settings(file)
        let alerts = try Alerting.dispatcherOrExit(alertSettings, defaultSpool: model.resolved + "/alert_spool/serve", command: "serve")
        var onAnomalies: (@Sendable ([Anomaly]) -> Void)?
        if let alerts { onAnomalies = { alerts.offer($0) } }
        let service = AnalysisService(modelDirectory: model.resolved, overrides: file?.overrides ?? DetectionOverrides(), keep: o.keepAnomalies,
                                      onAnomalies: onAnomalies)
        var logger = Logger(label: "tripline.api") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = Logger.Level(rawValue: env["LOG_LEVEL"] ?? "") ?? .info
        if let e = service.modelError {
            logger.warning("no model loaded; /health/ready answers 503 until POST /model/reload finds one", metadata: ["reason": .string(e)])
        }
        let server = APIServer(options: o, service: service, logger: logger)
        let shown = o.host.contains(":") ? "[\(o.host)]" : o.host
        let auth = o.token == nil ? "no token (loopback only)" : "bearer token required"
        alerts?.start()
        do {
            try await server.run { port in
                printError("tripline: serving on http://\(shown):\(port) (\(auth)); docs at /docs; Ctrl-C stops")
                if let alerts { printError("tripline: alerts to \(Alerting.describe(alerts))") }
            }
        } catch {
            await alerts?.shutdown(flushFor: 0)
            if let why = APIServer.startFailure(error, host: o.host, port: o.port) {
                printError("tripline serve: \(why)")
                throw ExitCode(2)
            }
            throw error
        }
        if let alerts {
            let left = await alerts.flush(timeout: min(5, alertSettings.flushTimeout))
            await alerts.shutdown()
            if left > 0 { printError("tripline serve: \(Alerting.count(left)) not delivered yet, kept in \(alerts.spoolDirectory) for the next start") }
        }
    }
}
