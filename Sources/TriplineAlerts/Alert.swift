import Foundation
import TriplineCore

/// One alert: an anomaly that reached a sink's minimum severity (or escalated past what that
/// sink was last told), as it waits in the spool and goes out.
public struct Alert: Sendable, Equatable {
    /// `<anomaly id>.<severity>`: the same incident at the same severity is one alert, so a
    /// receiver (or Elasticsearch, by `_id`) can drop a repeat.
    public var id: String
    /// When it was queued.
    public var queuedAt: Timestamp
    /// The severity this sink was told before, when this is an escalation.
    public var previousSeverity: Severity?
    /// True for `tripline alert --test`.
    public var isTest: Bool
    public var anomaly: Anomaly

    public init(anomaly: Anomaly, queuedAt: Timestamp = Timestamp(seconds: Date().timeIntervalSince1970),
                previousSeverity: Severity? = nil, isTest: Bool = false) {
        self.id = "\(anomaly.id).\(anomaly.severity.rawValue)"
        self.queuedAt = queuedAt
        self.previousSeverity = previousSeverity
        self.isTest = isTest
        self.anomaly = anomaly
    }

    /// The spool's form: one JSON object on one line.
    public var spoolLine: [UInt8] {
        var w = JSONWriter()
        w.raw("{"); w.key("alert_id"); w.string(id)
        w.raw(","); w.key("queued_at"); w.string(queuedAt.iso8601)
        w.raw(","); w.key("previous_severity"); w.optionalString(previousSeverity?.rawValue)
        w.raw(","); w.key("test"); w.bool(isTest)
        w.raw(","); w.key("anomaly"); anomaly.writeJSON(to: &w)
        w.raw("}\n")
        return w.bytes
    }

    /// Reads a spool line back.
    public static func fromSpoolLine(_ line: String) throws(AlertError) -> Alert {
        do {
            let v = try JSONParser.parse(line)
            guard let anomalyValue = v["anomaly"], let id = v["alert_id"]?.scalarText, let queued = v["queued_at"]?.scalarText,
                  let at = Timestamp(iso8601: queued) else {
                throw AlertError.spoolCorrupt(reason: "missing alert_id, queued_at or anomaly")
            }
            let a = try AnomalyDocument.anomaly(anomalyValue, at: "anomaly")
            var alert = Alert(anomaly: a, queuedAt: at, previousSeverity: v["previous_severity"]?.scalarText.flatMap(Severity.init(rawValue:)),
                              isTest: v["test"] == .bool(true))
            alert.id = id
            return alert
        } catch let e as AlertError {
            throw e
        } catch {
            throw .spoolCorrupt(reason: "\(error)")
        }
    }
}

/// What went wrong with alerting, in words that say what to do. Never holds a URL's path,
/// a token or a secret.
public enum AlertError: Error, Sendable, CustomStringConvertible {
    case spoolUnusable(path: String, reason: String)
    case spoolBusy(path: String)
    case spoolCorrupt(reason: String)
    case noSuchSink(name: String, configured: [String])

    public var description: String {
        switch self {
        case .spoolUnusable(let p, let r): return "alert spool \(p) cannot be used: \(r)"
        case .spoolBusy(let p):
            return "alert spool \(p) is in use by another tripline process; give this one its own with TRIPLINE_ALERT_SPOOL_DIR or [alerts] spool_dir"
        case .spoolCorrupt(let r): return "unreadable alert in the spool: \(r)"
        case .noSuchSink(let n, let c):
            let on = c.isEmpty ? "none is configured (set TRIPLINE_SLACK_WEBHOOK_URL, TRIPLINE_SPLUNK_HEC_URL, TRIPLINE_ELASTICSEARCH_URL or TRIPLINE_WEBHOOK_URL, or [alerts.<sink>] url in tripline.toml)" : "configured: \(c.joined(separator: ", "))"
            return "no alert sink '\(n)': \(on)"
        }
    }
}
