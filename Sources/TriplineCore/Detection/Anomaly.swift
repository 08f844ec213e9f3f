/// One incident: an entity (a source or a user), a kind, a stretch of time, with the numbers
/// that made it one, the reasons in plain sentences, and the events behind it.
public struct Anomaly: Sendable, Hashable, Identifiable {
    /// Stable id: the same incident in the same data always gets the same id.
    public var id: String
    /// What kind of incident.
    public var kind: AnomalyKind
    /// When it started (the first event behind it).
    public var start: Timestamp
    /// The latest event behind it.
    public var lastSeen: Timestamp
    /// The user it is about (or the main account targeted, for source-scoped kinds).
    public var user: String?
    /// The source address or host name.
    public var sourceIP: String?
    /// The host that logged it (the first one, when several did).
    public var host: String?
    /// 0–100.
    public var score: Double
    /// Plain sentences an analyst reads.
    public var reasons: [String]
    /// How many events are behind it.
    public var eventCount: Int
    /// `file:line` of the first events behind it (capped).
    public var evidence: [EvidenceLocation]
    /// Whether events beyond ``evidence`` are behind it (the cap was reached). A line that
    /// stands for several events (`message repeated N times`) is one location.
    public var evidenceTruncated = false
    /// The numbers behind it (failures, distinct users, novelty points, …).
    public var details: [String: JSONValue]

    /// An anomaly (detectors make these; tests and other tools may too).
    public init(id: String, kind: AnomalyKind, start: Timestamp, lastSeen: Timestamp, user: String?, sourceIP: String?,
                host: String?, score: Double, reasons: [String], eventCount: Int, evidence: [EvidenceLocation], details: [String: JSONValue]) {
        self.id = id; self.kind = kind; self.start = start; self.lastSeen = lastSeen; self.user = user
        self.sourceIP = sourceIP; self.host = host; self.score = score; self.reasons = reasons
        self.eventCount = eventCount; self.evidence = evidence; self.details = details
    }

    /// Severity from the score.
    public var severity: Severity { Severity(score: score) }
    /// ATT&CK technique ids.
    public var techniques: [String] { kind.techniques }

    /// The entity as `source 1.2.3.4` or `user alice`.
    public var entity: String {
        if kind.isSourceScoped, let s = sourceIP { return "source \(s)" }
        if let u = user { return "user \(u)" }
        return sourceIP.map { "source \($0)" } ?? "unknown"
    }

    /// Appends the anomaly as a JSON object, the schema of `tripline analyze --output json`.
    public func writeJSON(to w: inout JSONWriter) {
        w.raw("{"); w.key("id"); w.string(id)
        w.raw(","); w.key("timestamp"); w.string(start.iso8601)
        w.raw(","); w.key("last_seen"); w.string(lastSeen.iso8601)
        w.raw(","); w.key("user"); if let user { w.string(user) } else { w.raw("null") }
        w.raw(","); w.key("source_ip"); if let sourceIP { w.string(sourceIP) } else { w.raw("null") }
        w.raw(","); w.key("host"); if let host { w.string(host) } else { w.raw("null") }
        w.raw(","); w.key("kind"); w.string(kind.rawValue)
        w.raw(","); w.key("severity"); w.string(severity.rawValue)
        w.raw(","); w.key("score"); w.double((score * 10).rounded() / 10)
        w.raw(","); w.key("techniques"); w.value(.array(techniques.map { .string($0) }))
        w.raw(","); w.key("reasons"); w.value(.array(reasons.map { .string($0) }))
        w.raw(","); w.key("evidence"); w.raw("{"); w.key("event_count"); w.int(eventCount)
        w.raw(","); w.key("locations"); w.value(.array(evidence.map { .string($0.description) }))
        w.raw(","); w.key("truncated"); w.bool(evidenceTruncated)
        w.raw("}")
        w.raw(","); w.key("details"); w.value(.object(details))
        w.raw("}")
    }

    /// The anomaly as a JSON object string.
    public var jsonString: String {
        var w = JSONWriter()
        writeJSON(to: &w)
        return String(decoding: w.bytes, as: UTF8.self)
    }
}

extension Anomaly {
    /// The id Tripline gives an incident whose hash is `h`: `TL-` and sixteen hex digits.
    public static func idText(_ h: UInt64) -> String { IncidentBook.idText(h) }

    /// The number behind an id of exactly the form ``idText(_:)`` writes (`TL-` and sixteen
    /// lowercase hex digits), so that ids can be kept and ordered as numbers (the numbers
    /// order as the texts do); nil for any other id.
    public static func idNumber(_ id: String) -> UInt64? {
        let u = id.utf8
        guard u.count == 19, id.hasPrefix("TL-"),
              u.dropFirst(3).allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }) else { return nil }
        return UInt64(id.dropFirst(3), radix: 16)
    }
}
