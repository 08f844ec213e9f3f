/// Reads anomalies back from what Tripline writes: the `tripline analyze --output json` document
/// (and the REST API's answers and `GET /anomalies`), the dashboard's export file, a bare JSON
/// array of anomalies, or NDJSON with one anomaly per line (`--output ndjson`).
public enum AnomalyDocument {
    /// What is wrong, and where (`anomalies[2].timestamp`, `line 7`).
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public let location: String
        public let message: String
        public var description: String { "\(location): \(message)" }
    }

    /// The anomalies in `text`.
    public static func anomalies(in text: String) throws(Problem) -> [Anomaly] {
        let trimmed = text.drop { $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" || $0 == "\u{FEFF}" }
        guard !trimmed.isEmpty else { return [] }
        // One JSON value (a document, an array, or a single anomaly): read it whole.
        if let root = try? JSONParser.parse(String(trimmed)) {
            switch root {
            case .array(let list):
                var out: [Anomaly] = []
                for (i, v) in list.enumerated() { out.append(try anomaly(v, at: "[\(i)]")) }
                return out
            case .object(let o) where o["anomalies"] != nil:
                guard case .array(let list)? = o["anomalies"] else {
                    throw Problem(location: "anomalies", message: "must be an array of anomalies")
                }
                var out: [Anomaly] = []
                for (i, v) in list.enumerated() { out.append(try anomaly(v, at: "anomalies[\(i)]")) }
                return out
            case .object:
                return [try anomaly(root, at: "line 1")]
            default:
                throw Problem(location: "document", message: "expected {\"anomalies\": [...]} (tripline analyze --output json), an array of anomalies or NDJSON")
            }
        }
        // Otherwise NDJSON, one anomaly per line.
        var out: [Anomaly] = []
        for (i, line) in trimmed.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let l = line.trimmingSuffixCR
            if l.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            let v: JSONValue
            do { v = try JSONParser.parse(String(l)) } catch {
                throw Problem(location: "line \(i + 1)", message: "not valid JSON: \(error)")
            }
            out.append(try anomaly(v, at: "line \(i + 1)"))
        }
        return out
    }

    /// One anomaly object as `Anomaly.writeJSON` writes it.
    public static func anomaly(_ v: JSONValue, at place: String) throws(Problem) -> Anomaly {
        guard case .object(let o) = v else { throw Problem(location: place, message: "must be an anomaly object") }
        func text(_ k: String, required: Bool = true) throws(Problem) -> String? {
            switch o[k] {
            case .string(let s)?: return s
            case .null?, nil:
                if required { throw Problem(location: "\(place).\(k)", message: "missing") }
                return nil
            default: throw Problem(location: "\(place).\(k)", message: "must be a string")
            }
        }
        func time(_ k: String) throws(Problem) -> Timestamp {
            let s = try text(k) ?? ""
            guard let t = Timestamp(iso8601: s) else { throw Problem(location: "\(place).\(k)", message: "'\(s)' is not an ISO 8601 time") }
            return t
        }
        let kindText = try text("kind") ?? ""
        guard let kind = AnomalyKind(rawValue: kindText) else {
            throw Problem(location: "\(place).kind", message: "'\(kindText)' is not a kind Tripline reports")
        }
        guard let score = o["score"]?.numberValue, score.isFinite, score >= 0, score <= 100 else {
            throw Problem(location: "\(place).score", message: "must be a number from 0 to 100")
        }
        var reasons: [String] = []
        if case .array(let a)? = o["reasons"] { reasons = a.compactMap { $0.scalarText } }
        var evidence: [EvidenceLocation] = []
        var count = 0
        var truncated = false
        if case .object(let ev)? = o["evidence"] {
            if case .bool(let b)? = ev["truncated"] { truncated = b }
            if case .array(let a)? = ev["locations"] { evidence = a.compactMap { $0.scalarText.map(EvidenceLocation.init(parsing:)) } }
            let c = ev["event_count"]?.numberValue ?? 0
            count = c.isFinite && c >= 0 && c < 1e15 ? Int(c) : 0
        }
        var details: [String: JSONValue] = [:]
        if case .object(let d)? = o["details"] { details = d }
        var a = Anomaly(id: try text("id") ?? "", kind: kind, start: try time("timestamp"), lastSeen: try time("last_seen"),
                        user: try text("user", required: false), sourceIP: try text("source_ip", required: false),
                        host: try text("host", required: false), score: score, reasons: reasons,
                        eventCount: max(count, evidence.count), evidence: evidence, details: details)
        a.evidenceTruncated = truncated
        return a
    }
}

extension Substring {
    var trimmingSuffixCR: Substring { last == "\r" ? dropLast() : self }
}
