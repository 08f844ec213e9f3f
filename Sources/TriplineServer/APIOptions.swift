import Foundation

/// How `tripline serve` runs: where it listens, who may call it, and its limits.
public struct APIOptions: Sendable {
    /// Address to bind (`127.0.0.1` by default; anything but loopback needs a token).
    public var host = "127.0.0.1"
    /// Port to bind (0 picks a free one).
    public var port = 8000
    /// Bearer token required on everything but health and metrics; nil turns auth off.
    public var token: String?
    /// Requests per minute per client address (0 turns the limit off).
    public var rateLimitPerMinute = 100
    /// Largest request body accepted, in bytes (413 beyond).
    public var maxBodyBytes = 32 << 20
    /// Most records in one `POST /analyze` JSON body.
    public var maxRecords = 1_000_000
    /// Anomalies kept for `GET /anomalies`.
    public var keepAnomalies = 10_000
    /// Seconds a connection may sit without sending a complete request part (headers, a body
    /// chunk) before it is closed: slow-header and idle connections do not pile up.
    public var idleTimeoutSeconds = 30
    /// Seconds a request body may take to arrive in full (408 after).
    public var bodyTimeoutSeconds = 60
    /// Analyses that run at once (nil: one per core, leaving one for the server when there are
    /// several) and that may wait for one (503 beyond).
    public var analysisWorkers: Int?
    public var analysisWaiting = 8
    /// The clock the rate limit counts minutes by, in seconds (the system's; tests pass their
    /// own, so that a slow machine cannot let a minute pass between two requests).
    public var clock: @Sendable () -> Double = { Date().timeIntervalSince1970 }

    public init() {}

    /// True for addresses only this machine can reach.
    public static func isLoopback(_ host: String) -> Bool {
        let h = host.lowercased()
        return h == "localhost" || h == "::1" || h == "[::1]" || h.hasPrefix("127.")
    }

    /// Why these options must not be used, if they must not.
    public func problem() -> String? {
        if !APIOptions.isLoopback(host), (token ?? "").isEmpty {
            return "refusing to listen on \(host) without a token: anyone who can reach it could use the API. Set TRIPLINE_API_TOKEN (or api.token in the config file), or listen on 127.0.0.1"
        }
        if port < 0 || port > 65535 { return "port \(port) is not between 0 and 65535" }
        if rateLimitPerMinute < 0 { return "the rate limit must be 0 (off) or more requests per minute" }
        if maxBodyBytes < 1024 { return "the body size limit must be at least 1024 bytes" }
        return nil
    }
}
