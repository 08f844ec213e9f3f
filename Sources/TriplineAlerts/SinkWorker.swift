import AsyncHTTPClient
import Foundation
import Logging
import Synchronization
import NIOCore
import NIOHTTP1
import TriplineConfig
import TriplineCore

/// Delivers one sink's spool, oldest first: a batch at a time, retries with exponential backoff
/// and jitter (or the receiver's `Retry-After`), refused alerts set aside in `rejected/`.
actor SinkWorker {
    let endpoint: AlertEndpoint
    let spool: AlertSpool
    let client: HTTPClient
    let logger: Logger
    let initialBackoff: Double
    let maxBackoff: Double
    let board: StatusBoard

    private(set) var delivered = 0
    private(set) var failures = 0
    private(set) var lastError: String?
    /// True while waiting to retry after a failure.
    private(set) var backingOff = false
    var attempt = 0

    init(endpoint: AlertEndpoint, spool: AlertSpool, client: HTTPClient, logger: Logger, initialBackoff: Double, maxBackoff: Double,
         board: StatusBoard) {
        self.board = board
        self.endpoint = endpoint
        self.spool = spool
        self.client = client
        self.logger = logger
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
    }

    /// Runs until cancelled.
    func run() async {
        var limit = endpoint.sink.batchSize
        while !Task.isCancelled {
            guard let (file, alerts) = spool.next(limit: limit) else {
                try? await Task.sleep(nanoseconds: 100_000_000)
                continue
            }
            let outcome = await send(alerts)
            defer { publish() }
            if Task.isCancelled, case .retry = outcome { return }
            do {
                switch outcome {
                case .delivered:
                    try spool.remove(ids: Set(alerts.map(\.id)), from: file)
                    succeeded(alerts.count)
                    limit = endpoint.sink.batchSize
                case .tooLarge:
                    limit = max(1, alerts.count / 2)
                    logger.notice("alert batch too large for the receiver; sending fewer at a time", metadata: ["sink": "\(endpoint.shownTarget)", "batch": "\(limit)"])
                case .rejected(let reason):
                    try spool.reject(alerts, from: file, reason: reason)
                    failures += 1
                    lastError = reason
                    logger.error("alerts refused by the receiver; kept in the spool's rejected/ folder", metadata: [
                        "sink": "\(endpoint.shownTarget)", "alerts": "\(alerts.count)", "reason": "\(reason)"])
                case .partial(let retry, let rejected, let reason):
                    let done = Set(alerts.map(\.id)).subtracting(retry).subtracting(rejected.keys)
                    try spool.remove(ids: done, from: file)
                    if !rejected.isEmpty {
                        let refused = alerts.filter { rejected[$0.id] != nil }
                        let why = refused.compactMap { rejected[$0.id] }.first ?? reason
                        try spool.reject(refused, from: file, reason: why)
                        logger.error("alerts refused by the receiver; kept in the spool's rejected/ folder", metadata: [
                            "sink": "\(endpoint.shownTarget)", "alerts": "\(refused.count)", "reason": "\(why)"])
                    }
                    if done.count > 0 { succeeded(done.count) }
                    if !retry.isEmpty { await backOff(reason: "\(reason); \(retry.count) to retry", after: nil) }
                case .retry(let reason, let after):
                    await backOff(reason: reason, after: after)
                }
            } catch {
                // The spool itself failed (disk full, permissions): say so and wait before trying again.
                await backOff(reason: error.description, after: nil)
            }
        }
    }

    private func succeeded(_ n: Int) {
        delivered += n
        if attempt > 0 {
            logger.info("alert delivery recovered", metadata: ["sink": "\(endpoint.shownTarget)", "after_attempts": "\(attempt + 1)"])
        }
        attempt = 0
    }

    private func backOff(reason: String, after: Double?) async {
        attempt += 1
        failures += 1
        lastError = reason
        let wait = AlertBackoff.delay(attempt: attempt, initial: initialBackoff, cap: maxBackoff, retryAfter: after)
        logger.warning("alert delivery failed; will retry", metadata: [
            "sink": "\(endpoint.shownTarget)", "reason": "\(reason)", "attempt": "\(attempt)",
            "retry_in": "\(String(format: "%.1f", wait)) s", "pending": "\(spool.pendingCount)"])
        backingOff = true
        publish()
        try? await Task.sleep(nanoseconds: UInt64(wait * 1_000_000_000))
        backingOff = false
    }

    /// One request; transport failures come back as `.retry`.
    func send(_ alerts: [Alert]) async -> DeliveryOutcome {
        do {
            let r = try await Self.execute(endpoint.request(for: alerts), client: client, timeout: endpoint.sink.timeout)
            return endpoint.outcome(status: r.status, retryAfter: r.retryAfter, body: r.body, alerts: alerts)
        } catch {
            return .retry(reason: endpoint.redact(Self.describe(error, timeout: endpoint.sink.timeout)), after: nil)
        }
    }

    /// Sends `r` and reads the answer (at most 4 MiB of it).
    static func execute(_ r: AlertRequest, client: HTTPClient, timeout: Double) async throws -> (status: Int, retryAfter: String?, body: [UInt8]) {
        var req = HTTPClientRequest(url: r.url)
        req.method = .POST
        for (k, v) in r.headers { req.headers.add(name: k, value: v) }
        req.body = .bytes(ByteBuffer(bytes: r.body))
        let ms = Int64(timeout * 1000)
        let response = try await client.execute(req, timeout: .milliseconds(ms))
        var buffer = try await response.body.collect(upTo: 4 << 20)
        let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
        return (Int(response.status.code), response.headers.first(name: "Retry-After"), bytes)
    }

    /// A transport error in words, without the URL.
    static func describe(_ error: any Error, timeout: Double) -> String {
        if let e = error as? HTTPClientError {
            switch e {
            case .deadlineExceeded, .readTimeout, .writeTimeout: return "no answer within \(ConfigFile.number(timeout)) s"
            case .connectTimeout: return "connection timed out"
            case .remoteConnectionClosed: return "the receiver closed the connection"
            default: return "HTTP client error: \(e)"
            }
        }
        let text = String(describing: error)
        if text.contains("connectionRefused") || text.contains("Connection refused") { return "connection refused" }
        if text.contains("NIOConnectionError") || text.contains("connectTimeout") { return "cannot connect" }
        return text
    }

    /// Puts the counters where ``AlertDispatcher/status()`` reads them.
    func publish() {
        let st = status()
        board.sinks.withLock { $0[st.sink] = st }
    }

    /// Counters for status displays.
    func status() -> SinkStatus {
        SinkStatus(sink: endpoint.sink.kind, target: endpoint.shownTarget, pending: spool.pendingCount, rejected: spool.rejectedCount,
                   delivered: delivered, failures: failures, lastError: lastError, backingOff: backingOff)
    }
}

/// How one sink is doing.
public struct SinkStatus: Sendable, Equatable {
    public var sink: AlertSinkKind
    /// Scheme, host and port only.
    public var target: String
    public var pending: Int
    public var rejected: Int
    /// Dropped because the spool was full (see `dropped.log`).
    public var dropped: Int = 0
    public var delivered: Int
    public var failures: Int
    public var lastError: String?
    public var backingOff: Bool
}

/// How long to wait before retrying.
public enum AlertBackoff {
    /// Exponential backoff with jitter: `initial·2^(attempt-1)` capped at `cap`, then a random
    /// point in its upper half (so many Triplines do not retry in step); a `Retry-After` wins
    /// when it asks for longer.
    public static func delay(attempt: Int, initial: Double, cap: Double, retryAfter: Double?) -> Double {
        let d = min(cap, initial * pow(2, Double(min(attempt, 30) - 1)))
        let jittered = d / 2 + Double.random(in: 0...(d / 2))
        if let r = retryAfter, r > jittered { return min(cap, r) }
        return jittered
    }

}

/// The sinks' latest counters, readable without waiting on the workers.
final class StatusBoard: Sendable {
    let sinks = Mutex<[AlertSinkKind: SinkStatus]>([:])
}
