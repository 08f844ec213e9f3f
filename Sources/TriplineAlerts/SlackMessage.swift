import Foundation
import TriplineCore

/// A Slack incoming-webhook message an analyst can read at a glance: severity, kind, entity,
/// reasons, the time span and the ATT&CK ids. Text from the logs is escaped the way Slack asks
/// (`&`, `<`, `>`), so a user name cannot ping `@channel` or make a link, and it is shown as code.
enum SlackMessage {
    static func body(for batch: [Alert]) -> [UInt8] {
        // Worst first, then oldest first: the top of the message is what to look at.
        let alerts = batch.sorted { a, b in
            a.anomaly.severity != b.anomaly.severity ? a.anomaly.severity > b.anomaly.severity : a.anomaly.start < b.anomaly.start
        }
        var lines: [String] = []
        for a in alerts { lines.append(text(for: a)) }
        let counts = Severity.allCases.reversed().compactMap { sev -> String? in
            let n = alerts.filter { $0.anomaly.severity == sev }.count
            return n == 0 ? nil : "\(n) \(sev.rawValue)"
        }
        let summary = alerts.count == 1 ? headline(alerts[0]) : "Tripline: \(alerts.count) alerts (\(counts.joined(separator: ", ")))"
        var w = JSONWriter()
        w.raw("{"); w.key("text"); w.string(summary)
        w.raw(","); w.key("blocks"); w.raw("[")
        for (i, l) in lines.enumerated() {
            if i > 0 { w.raw(",{\"type\":\"divider\"},") }
            w.raw("{"); w.key("type"); w.string("section")
            w.raw(","); w.key("text"); w.raw("{"); w.key("type"); w.string("mrkdwn")
            w.raw(","); w.key("text"); w.string(String(l.prefix(2900))); w.raw("}}")
        }
        w.raw("]}")
        return w.bytes
    }

    static func headline(_ a: Alert) -> String {
        let test = a.isTest ? "[TEST] " : ""
        return "\(test)\(a.anomaly.severity.rawValue.uppercased()) \(a.anomaly.kind.title): \(escape(a.anomaly.entity))"
    }

    static func text(for a: Alert) -> String {
        let an = a.anomaly
        let icon: String
        switch an.severity {
        case .critical: icon = ":rotating_light:"
        case .high: icon = ":warning:"
        case .medium: icon = ":large_orange_diamond:"
        case .low: icon = ":information_source:"
        }
        var head = "\(icon) \(a.isTest ? "*[TEST]* " : "")*\(an.severity.rawValue.uppercased()) · \(an.kind.title)*"
        if an.kind.isSourceScoped, let s = an.sourceIP {
            head += " from \(code(s))"
            if let u = an.user { head += " (account \(code(u)))" }
        } else if let u = an.user {
            head += " for user \(code(u))"
            if let s = an.sourceIP { head += " from \(code(s))" }
        } else if let s = an.sourceIP {
            head += " from \(code(s))"
        }
        if let h = an.host { head += " on \(code(h))" }
        if let prev = a.previousSeverity { head += " _(escalated from \(prev.rawValue))_" }
        var out = [head]
        for r in an.reasons.prefix(5) { out.append("• " + escape(r)) }
        let span = timeSpan(an.start, an.lastSeen)
        var facts = "score \(Int(an.score.rounded())) · \(an.eventCount) events · \(span)"
        if !an.techniques.isEmpty { facts += " · ATT&amp;CK \(an.techniques.joined(separator: ", "))" }
        facts += " · id \(code(an.id))"
        out.append(facts)
        return out.joined(separator: "\n")
    }

    /// `2026-03-03 01:22:55 → 01:23:37 UTC` (the date again only when the day changes).
    static func timeSpan(_ a: Timestamp, _ b: Timestamp) -> String {
        func parts(_ t: Timestamp) -> (String, String) {
            let iso = t.iso8601
            return (String(iso.prefix(10)), String(iso.dropFirst(11).prefix(8)))
        }
        let (d1, t1) = parts(a), (d2, t2) = parts(b)
        if a.wholeSeconds == b.wholeSeconds { return "\(d1) \(t1) UTC" }
        return d1 == d2 ? "\(d1) \(t1) → \(t2) UTC" : "\(d1) \(t1) → \(d2) \(t2) UTC"
    }

    /// Slack's three escapes, plus control characters made visible.
    static func escape(_ s: String) -> String {
        TerminalSafe.sanitize(s).replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }

    /// Attacker text as inline code (backticks in it would end the span, so they become quotes).
    static func code(_ s: String) -> String {
        "`" + escape(String(s.prefix(200))).replacingOccurrences(of: "`", with: "'") + "`"
    }
}
