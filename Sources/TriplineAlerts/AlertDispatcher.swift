import AsyncHTTPClient
import Foundation
import Logging
import Synchronization
import TriplineConfig
import TriplineCore

/// Alerting for a whole process (batch, serve, the dashboard): decides which anomalies each
/// sink hears about (at or above its minimum severity, once per incident and severity: an
/// escalation is a new alert), queues them in each sink's on-disk spool, and delivers them in
/// the background.
///
/// ```swift
/// let alerts = try AlertDispatcher(settings: settings, spoolDirectory: "anomaly_outputs/alert_spool", logger: logger)
/// alerts.start()
/// alerts.offer(analysis.anomalies)
/// await alerts.shutdown(flushFor: 5)
/// ```
public final class AlertDispatcher: Sendable {
    public let settings: AlertSettings
    public let spoolDirectory: String
    let client: HTTPClient
    let workers: [SinkWorker]
    let spools: [AlertSinkKind: AlertSpool]
    let endpoints: [AlertEndpoint]
    let logger: Logger
    let tasks = Mutex<[Task<Void, Never>]>([])
    let told = Mutex<ToldBook>(ToldBook())
    let board = StatusBoard()

    /// What each sink was last told per incident (bounded: the oldest are forgotten).
    struct ToldBook {
        var severity: [AlertSinkKind: [String: Severity]] = [:]
        var order: [(AlertSinkKind, String)] = []
        mutating func note(_ kind: AlertSinkKind, _ id: String, _ s: Severity) {
            if severity[kind]?[id] == nil { order.append((kind, id)) }
            severity[kind, default: [:]][id] = s
            if order.count > 50_000 {
                for (k, i) in order.prefix(10_000) { severity[k]?[i] = nil }
                order.removeFirst(10_000)
            }
        }
    }

    /// Opens every configured sink's spool under `spoolDirectory` (`<dir>/<sink>/`).
    /// `initialBackoff` is the first retry's wait in seconds.
    public init(settings: AlertSettings, spoolDirectory: String, logger: Logger, initialBackoff: Double = 1) throws(AlertError) {
        self.settings = settings
        self.spoolDirectory = spoolDirectory
        self.logger = logger
        var config = HTTPClient.Configuration(redirectConfiguration: .disallow,
                                              timeout: .init(connect: .seconds(5), read: .seconds(Int64(max(1, settings.sinks.map(\.timeout).max() ?? 10)))))
        config.httpVersion = .http1Only
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)
        var spools: [AlertSinkKind: AlertSpool] = [:]
        var workers: [SinkWorker] = []
        var endpoints: [AlertEndpoint] = []
        do {
            for sink in settings.sinks {
                let spool = try AlertSpool(directory: spoolDirectory + "/" + sink.kind.rawValue, chunkSize: sink.batchSize,
                                           maxBytes: Int64(settings.maxSpoolMB * 1_048_576))
                if spool.unreadableCount > 0 {
                    logger.warning("unreadable lines in the alert spool were moved to rejected/", metadata: [
                        "spool": "\(spool.directory)", "lines": "\(spool.unreadableCount)"])
                }
                let endpoint = AlertEndpoint(sink: sink)
                spools[sink.kind] = spool
                endpoints.append(endpoint)
                workers.append(SinkWorker(endpoint: endpoint, spool: spool, client: client, logger: logger,
                                          initialBackoff: initialBackoff, maxBackoff: settings.maxBackoff, board: board))
            }
        } catch {
            for s in spools.values { s.release() }
            try? client.syncShutdown()
            throw error
        }
        self.spools = spools
        self.workers = workers
        self.endpoints = endpoints
    }

    /// Starts delivering (what earlier runs left in the spools goes first).
    public func start() {
        tasks.withLock { t in
            guard t.isEmpty else { return }
            for w in workers { t.append(Task.detached { await w.run() }) }
        }
    }

    /// Queues alerts for the anomalies each sink should hear about; returns how many alerts
    /// were queued (over all sinks). Cheap when nothing qualifies; call it with every change.
    /// A spool that cannot be written is logged (see ``queue(_:)`` to handle it yourself).
    @discardableResult
    public func offer(_ anomalies: [Anomaly]) -> Int {
        do { return try queue(anomalies) } catch {
            logger.error("cannot queue alerts", metadata: ["reason": "\(error)"])
            return 0
        }
    }

    /// Like ``offer(_:)``, but a spool that cannot be written is an error (after the other
    /// sinks had their turn), and those alerts count as never offered.
    @discardableResult
    public func queue(_ anomalies: [Anomaly]) throws(AlertError) -> Int {
        var queued = 0
        var failure: AlertError?
        let now = Timestamp(seconds: Date().timeIntervalSince1970)
        for e in endpoints {
            let sink = e.sink
            let fresh: [Alert] = told.withLock { book in
                var out: [Alert] = []
                for a in anomalies where a.severity >= sink.minSeverity {
                    let before = book.severity[sink.kind]?[a.id]
                    if let before, before >= a.severity { continue }
                    out.append(Alert(anomaly: a, queuedAt: now, previousSeverity: before))
                    book.note(sink.kind, a.id, a.severity)
                }
                return out
            }
            guard !fresh.isEmpty, let spool = spools[sink.kind] else { continue }
            do {
                let droppedBefore = spool.droppedCount
                queued += try spool.append(fresh)
                let dropped = spool.droppedCount - droppedBefore
                if dropped > 0 {
                    logger.warning("alert spool full: the oldest waiting alerts were dropped", metadata: [
                        "sink": "\(sink.kind.rawValue)", "dropped": "\(dropped)", "limit_mb": "\(settings.maxSpoolMB)",
                        "ids": "\(spool.directory)/dropped.log"])
                }
            } catch {
                told.withLock { book in
                    for a in fresh { book.severity[sink.kind]?[a.anomaly.id] = a.previousSeverity }
                }
                failure = failure ?? error
            }
        }
        if let failure { throw failure }
        return queued
    }

    /// Waits until every spool is empty (or nothing more can go out but refused alerts), or
    /// `timeout` seconds pass. Returns the alerts still waiting.
    @discardableResult
    public func flush(timeout: Double) async -> Int {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let waiting = pendingCount
            if waiting == 0 || Date() >= deadline { return waiting }
            try? await Task.sleep(nanoseconds: 50_000_000)
        }
    }

    /// Alerts waiting in all spools.
    public var pendingCount: Int { spools.values.reduce(0) { $0 + $1.pendingCount } }

    /// Each sink's counters (as of its latest attempt), in configuration order.
    public func status() -> [SinkStatus] {
        let known = board.sinks.withLock { $0 }
        return endpoints.map { e in
            var st = known[e.sink.kind] ?? SinkStatus(sink: e.sink.kind, target: e.shownTarget, pending: 0, rejected: 0, delivered: 0,
                                                      failures: 0, lastError: nil, backingOff: false)
            st.pending = spools[e.sink.kind]?.pendingCount ?? 0
            st.rejected = spools[e.sink.kind]?.rejectedCount ?? 0
            st.dropped = spools[e.sink.kind]?.droppedCount ?? 0
            return st
        }
    }

    /// One short line for a status display: `alerts: 12 sent, 2 waiting` or, while a sink is
    /// failing, `slack: HTTP 500, 2 waiting`. The flag is true when a sink is failing.
    public var summary: (text: String, failing: Bool) {
        let all = status()
        let sent = all.reduce(0) { $0 + $1.delivered }, waiting = all.reduce(0) { $0 + $1.pending }
        let rejected = all.reduce(0) { $0 + $1.rejected }, dropped = all.reduce(0) { $0 + $1.dropped }
        var text = "alerts: \(sent) sent"
        if waiting > 0 { text += ", \(waiting) waiting" }
        if rejected > 0 { text += ", \(rejected) refused" }
        if dropped > 0 { text += ", \(dropped) dropped (spool full)" }
        if let bad = all.first(where: { $0.backingOff }) {
            let why = (bad.lastError ?? "").prefix { $0 != ":" }
            return ("\(bad.sink.rawValue): \(why), \(waiting) waiting", true)
        }
        return (text, false)
    }

    /// Gives delivery up to `flushFor` seconds, then stops; what is left stays in the spools.
    public func shutdown(flushFor: Double = 0) async {
        if flushFor > 0 { await flush(timeout: flushFor) }
        let running = tasks.withLock { t in defer { t.removeAll() }; return t }
        for t in running { t.cancel() }
        for t in running { await t.value }
        for s in spools.values { s.release() }
        try? await client.shutdown()
    }

    /// Sends one clearly marked test alert to `sink` straight away (not through the spool) and
    /// says what happened.
    public func sendTest(to kind: AlertSinkKind) async -> TestResult {
        guard let e = endpoints.first(where: { $0.sink.kind == kind }) else {
            return TestResult(sink: kind.rawValue, target: "", status: nil, outcome: .rejected(reason: "not configured"), seconds: 0)
        }
        let now = Timestamp(seconds: Date().timeIntervalSince1970)
        let anomaly = Anomaly(id: "tripline-test-\(now.wholeSeconds)", kind: .bruteForce, start: now, lastSeen: now, user: "tripline-test",
                              sourceIP: "192.0.2.1", host: ProcessInfo.processInfo.hostName, score: 90,
                              reasons: ["This is a test alert sent by `tripline alert --test`; no attack happened."],
                              eventCount: 1, evidence: [], details: ["test": .bool(true)])
        let alert = Alert(anomaly: anomaly, queuedAt: now, isTest: true)
        let started = Date()
        do {
            let r = try await SinkWorker.execute(e.request(for: [alert]), client: client, timeout: e.sink.timeout)
            let o = e.outcome(status: r.status, retryAfter: r.retryAfter, body: r.body, alerts: [alert])
            return TestResult(sink: e.name, target: e.shownTarget, status: r.status, outcome: o, seconds: Date().timeIntervalSince(started))
        } catch {
            return TestResult(sink: e.name, target: e.shownTarget, status: nil,
                              outcome: .retry(reason: e.redact(SinkWorker.describe(error, timeout: e.sink.timeout)), after: nil),
                              seconds: Date().timeIntervalSince(started))
        }
    }

    /// What a test alert did.
    public struct TestResult: Sendable {
        public var sink: String
        public var target: String
        public var status: Int?
        public var outcome: DeliveryOutcome
        public var seconds: Double
        public var ok: Bool { outcome == .delivered }
    }
}
