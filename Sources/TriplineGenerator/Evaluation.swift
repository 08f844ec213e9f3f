import Foundation
import TriplineCore

/// Scores a detector's anomalies against a generated folder's labels: recall and precision per
/// kind, and the anomalies that match no planted attack (false positives, by entity).
public struct Evaluation: Sendable {
    /// A planted attack from `labels.json`.
    public struct Label: Sendable {
        public var id: String
        public var kind: String
        public var start: Timestamp
        public var end: Timestamp
        public var sourceIP: String?
        public var users: [String]
        public var inSyslog: Bool
        public var inNDJSON: Bool = true

        /// Whether the form (`syslog` or `ndjson`) shows the attack.
        public func shown(in form: String) -> Bool { form == "ndjson" ? inNDJSON : inSyslog }
    }

    /// Per attack kind: planted, found (an anomaly of that kind on that entity in that time).
    public var recall: [String: (found: Int, planted: Int)] = [:]
    /// Per anomaly kind: reported, and how many lie on a planted attack (any kind).
    public var precision: [String: (onAttack: Int, reported: Int)] = [:]
    /// Anomalies on no planted attack.
    public var falsePositives: [Anomaly] = []
    /// Planted attacks no anomaly of their kind found.
    public var missed: [Label] = []

    /// Reads `labels/labels.json` of a generated folder.
    public static func labels(in directory: String) throws -> (labels: [Label], cleanDays: Int, start: Timestamp) {
        let url = URL(fileURLWithPath: directory).appendingPathComponent(GeneratorConfig.labelsFile)
        let doc = try JSONParser.parse(String(decoding: try Data(contentsOf: url), as: UTF8.self))
        func ts(_ v: JSONValue?) -> Timestamp { v?.scalarText.flatMap { Timestamp(iso8601: $0) } ?? Timestamp(microseconds: 0) }
        guard case .array(let attacks)? = doc["attacks"] else { return ([], 0, Timestamp(microseconds: 0)) }
        let labels = attacks.map { a -> Label in
            var users: [String] = []
            if case .array(let u)? = a["users"] { users = u.compactMap(\.scalarText) }
            return Label(id: a["id"]?.scalarText ?? "?", kind: a["kind"]?.scalarText ?? "?", start: ts(a["start"]), end: ts(a["end"]),
                         sourceIP: a["source_ip"]?.scalarText, users: users, inSyslog: a["in_syslog"] != .bool(false),
                         inNDJSON: a["in_ndjson"] != .bool(false))
        }
        let clean = Int(doc["generator"]?["clean_days"]?.numberValue ?? 0)
        return (labels, clean, ts(doc["generator"]?["start"]))
    }

    /// Whether an anomaly lies on a label: same entity, overlapping time (with some slack).
    static func matches(_ a: Anomaly, _ l: Label) -> Bool {
        let slack: Int64 = 15 * 60 * 1_000_000
        guard a.start.microseconds <= l.end.microseconds + slack, a.lastSeen.microseconds >= l.start.microseconds - slack else { return false }
        if let s = a.sourceIP, s == l.sourceIP { return true }
        if let u = a.user, l.users.contains(u), !a.kind.isSourceScoped { return true }
        return false
    }

    /// Scores `anomalies` against `labels` (only labels whose events the analysed input holds).
    public init(anomalies: [Anomaly], labels: [Label]) {
        for l in labels { recall[l.kind, default: (0, 0)].planted += 1 }
        for l in labels {
            if anomalies.contains(where: { $0.kind.rawValue == l.kind && Evaluation.matches($0, l) }) {
                recall[l.kind, default: (0, 0)].found += 1
            } else {
                missed.append(l)
            }
        }
        for a in anomalies {
            let onAttack = labels.contains { Evaluation.matches(a, $0) }
            precision[a.kind.rawValue, default: (0, 0)].reported += 1
            if onAttack { precision[a.kind.rawValue, default: (0, 0)].onAttack += 1 } else { falsePositives.append(a) }
        }
    }

    /// A report for people.
    public func report() -> String {
        var out = "kind                       recall          precision\n"
        let kinds = Set(recall.keys).union(precision.keys).sorted()
        var tp = 0, planted = 0, onAttack = 0, reported = 0
        for k in kinds {
            let r = recall[k] ?? (0, 0), p = precision[k] ?? (0, 0)
            tp += r.found; planted += r.planted; onAttack += p.onAttack; reported += p.reported
            let rs = r.planted > 0 ? String(format: "%3d/%-3d %5.1f%%", r.found, r.planted, 100 * Double(r.found) / Double(r.planted)) : "      —       "
            let ps = p.reported > 0 ? String(format: "%3d/%-3d %5.1f%%", p.onAttack, p.reported, 100 * Double(p.onAttack) / Double(p.reported)) : "      —"
            out += k.padding(toLength: 27, withPad: " ", startingAt: 0) + rs + "  " + ps + "\n"
        }
        out += String(format: "all                        %3d/%-3d %5.1f%%  %3d/%-3d %5.1f%%\n", tp, planted, planted > 0 ? 100 * Double(tp) / Double(planted) : 0,
                      onAttack, reported, reported > 0 ? 100 * Double(onAttack) / Double(reported) : 0)
        if !missed.isEmpty {
            out += "\nmissed:\n"
            for l in missed { out += "  \(l.id) \(l.kind) \(l.sourceIP ?? "-") \(l.users.prefix(3).joined(separator: ",")) \(l.start.iso8601)\n" }
        }
        if !falsePositives.isEmpty {
            out += "\nfalse positives (\(falsePositives.count)):\n"
            for a in falsePositives.prefix(40) {
                out += "  \(a.severity.rawValue) \(a.kind.rawValue) \(TerminalSafe.sanitize(a.entity)) \(a.start.iso8601): \(TerminalSafe.sanitize(a.reasons.first ?? ""))\n"
            }
        }
        return out
    }
}
