import Foundation
import Logging
import Synchronization
import TriplineAlerts
import TriplineConfig
import TriplineCore
import TriplineTestSupport

/// Log lines captured in memory, to check what alerting prints.
final class LogCapture: Sendable {
    let lines = Mutex<[String]>([])
    var text: String { lines.withLock { $0.joined(separator: "\n") } }

    var logger: Logger {
        Logger(label: "tripline.alerts") { label in Handler(capture: self) }
    }

    struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: Logging.LogEvent) {
            let meta = (event.metadata ?? [:]).map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " ")
            capture.lines.withLock { $0.append("\(event.level) \(event.message) \(meta)") }
        }
    }
}

enum Fixture {
    static func anomaly(id: String = "a1", kind: AnomalyKind = .bruteForce, score: Double = 75, user: String? = "root",
                        source: String? = "203.0.113.45", host: String? = "web-1", reasons: [String]? = nil) -> Anomaly {
        let t = Timestamp(year: 2026, month: 3, day: 6, hour: 10, minute: 0, second: 0)
        return Anomaly(id: id, kind: kind, start: t, lastSeen: Timestamp(microseconds: t.microseconds + 240_000_000), user: user,
                       sourceIP: source, host: host, score: score,
                       reasons: reasons ?? ["12 failed logins in 4 minutes from 203.0.113.45 against 1 account."],
                       eventCount: 12, evidence: ["auth.log:10", "auth.log:11"], details: ["failures": .int(12)])
    }

    static func spoolDir() -> String {
        let d = TestFolders.path("tripline-alerts")
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }

    static func settings(_ sinks: [AlertSettings.Sink]) -> AlertSettings {
        var s = AlertSettings()
        s.sinks = sinks
        s.maxBackoff = 0.5
        return s
    }

    static func dispatcher(_ sinks: [AlertSettings.Sink], spool: String, logs: LogCapture = LogCapture()) throws -> AlertDispatcher {
        try AlertDispatcher(settings: settings(sinks), spoolDirectory: spool, logger: logs.logger, initialBackoff: 0.05)
    }

    /// Files in a sink's `pending/` or `rejected/` folder.
    static func files(_ spool: String, _ sink: String, _ folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "\(spool)/\(sink)/\(folder)")) ?? []).filter { $0.hasSuffix(".ndjson") }
    }
}
