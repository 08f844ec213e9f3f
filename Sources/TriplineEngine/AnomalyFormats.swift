import Foundation
import TriplineCore

/// Anomalies in the shapes SIEMs import: Elastic Common Schema documents (NDJSON, also what the
/// Elasticsearch sink sends) and CSV with a header.
public enum AnomalyFormats {
    /// One anomaly as an ECS document: `@timestamp`, `event.*` (kind `alert`, severity, risk
    /// score, start/end), `message`, `rule.name`, `threat.technique.id`, `source.ip` (or
    /// `source.address` for a host name), `user.name`, `host.name`, and Tripline's own fields
    /// under `tripline.*`.
    public static func writeECS(_ a: Anomaly, to w: inout JSONWriter) {
        w.raw("{"); w.key("@timestamp"); w.string(a.start.iso8601)
        w.raw(","); w.key("message"); w.string(a.reasons.first ?? a.kind.title)
        w.raw(","); w.key("event"); w.raw("{")
        w.key("kind"); w.string("alert")
        w.raw(","); w.key("category"); w.raw("[\"authentication\"]")
        w.raw(","); w.key("type"); w.raw("[\"info\"]")
        w.raw(","); w.key("module"); w.string("tripline")
        w.raw(","); w.key("dataset"); w.string("tripline.anomaly")
        w.raw(","); w.key("id"); w.string(a.id)
        w.raw(","); w.key("start"); w.string(a.start.iso8601)
        w.raw(","); w.key("end"); w.string(a.lastSeen.iso8601)
        w.raw(","); w.key("severity"); w.int(ecsSeverity(a.severity))
        w.raw(","); w.key("risk_score"); w.double((a.score * 10).rounded() / 10)
        w.raw(","); w.key("reason"); w.string(a.reasons.first ?? "")
        w.raw("}")
        w.raw(","); w.key("rule"); w.raw("{"); w.key("name"); w.string(a.kind.rawValue)
        w.raw(","); w.key("description"); w.string(a.kind.title); w.raw("}")
        w.raw(","); w.key("threat"); w.raw("{"); w.key("framework"); w.string("MITRE ATT&CK")
        w.raw(","); w.key("technique"); w.raw("{"); w.key("id"); w.value(.array(a.techniques.map { .string($0) })); w.raw("}}")
        if let s = a.sourceIP {
            w.raw(","); w.key("source"); w.raw("{")
            if isIPAddress(s) { w.key("ip"); w.string(s); w.raw(",") }
            w.key("address"); w.string(s); w.raw("}")
        }
        if let u = a.user { w.raw(","); w.key("user"); w.raw("{"); w.key("name"); w.string(u); w.raw("}") }
        if let h = a.host { w.raw(","); w.key("host"); w.raw("{"); w.key("name"); w.string(h); w.raw("}") }
        w.raw(","); w.key("tripline"); w.raw("{")
        w.key("kind"); w.string(a.kind.rawValue)
        w.raw(","); w.key("severity"); w.string(a.severity.rawValue)
        w.raw(","); w.key("score"); w.double((a.score * 10).rounded() / 10)
        w.raw(","); w.key("reasons"); w.value(.array(a.reasons.map { .string($0) }))
        w.raw(","); w.key("event_count"); w.int(a.eventCount)
        w.raw(","); w.key("evidence"); w.value(.array(a.evidence.map { .string($0.description) }))
        w.raw("}}")
    }

    /// ECS `event.severity`: 21 low, 47 medium, 73 high, 99 critical (Elastic's rule bands).
    public static func ecsSeverity(_ s: Severity) -> Int {
        switch s {
        case .low: return 21
        case .medium: return 47
        case .high: return 73
        case .critical: return 99
        }
    }

    /// True for IPv4 and IPv6 addresses (not host names).
    public static func isIPAddress(_ s: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, s, &v4) == 1 || inet_pton(AF_INET6, s, &v6) == 1
    }

    /// The CSV columns, in order.
    public static let csvHeader = ["id", "timestamp", "last_seen", "severity", "score", "kind", "user", "source_ip", "host",
                                   "techniques", "event_count", "reasons", "evidence"]

    /// One CSV row (RFC 4180 quoting; lists joined with " | "). Cells that a spreadsheet would run
    /// as a formula (=, +, -, @ first) get a leading apostrophe: log text is attacker-controlled.
    public static func csvRow(_ a: Anomaly) -> String {
        let cells: [String] = [
            a.id, a.start.iso8601, a.lastSeen.iso8601, a.severity.rawValue, String((a.score * 10).rounded() / 10), a.kind.rawValue,
            a.user ?? "", a.sourceIP ?? "", a.host ?? "", a.techniques.joined(separator: " | "), String(a.eventCount),
            a.reasons.joined(separator: " | "), a.evidence.map(\.description).joined(separator: " | "),
        ]
        return cells.map(csvCell).joined(separator: ",")
    }

    /// A cell, quoted as RFC 4180 requires. Control characters (ESC, BEL, C1, bidirectional
    /// overrides, from user names and file names an attacker chose) are written as escapes:
    /// CSV is read by people, in spreadsheets and with `cat`, and has no escapes of its own.
    static func csvCell(_ raw: String) -> String {
        var s = TerminalSafe.sanitize(raw)
        if let f = s.first, "=+-@\t\r".contains(f), Double(s) == nil { s = "'" + s }
        if s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return s
    }
}
