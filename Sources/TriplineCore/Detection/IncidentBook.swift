/// Open incidents, keyed by entity, and the ones already closed. An incident stays open while
/// events keep coming within its gap; then it is closed and its anomaly is final.
struct IncidentBook {
    /// An incident being built: the anomaly so far, plus the running numbers its rule needs.
    struct Incident {
        var anomaly: Anomaly
        var gap: Int64
        var failures = 0.0
        var users: [String: Double] = [:]
        var invalidUsers = Set<String>()
        var hours = Set<Int64>()
        var tenMinuteBuckets: [Int64: Double] = [:]
        var maxInTenMinutes = 0.0
        var points = 0.0
        var notes: [String] = []
        var hosts = Set<String>()
        var followUps = 0
    }

    private(set) var open: [String: Incident] = [:]
    private(set) var closed: [Anomaly] = []
    private var changed = Set<String>()
    private var changedClosed: [Anomaly] = []
    /// How many `file:line` locations an incident keeps; a model swap may change it.
    var evidenceLimit: Int

    init(evidenceLimit: Int) { self.evidenceLimit = evidenceLimit }

    /// The open incident under `key`, if any.
    func incident(_ key: String) -> Incident? { open[key] }

    /// Adds `e` to the incident under `key` (opening one of `kind` if none), then lets `update`
    /// refresh its numbers, score and reasons.
    mutating func record(_ key: String, kind: AnomalyKind, event e: LogEvent, gap: Int64, user: String?, source: String?,
                         update: (inout Incident) -> Void) {
        let t = e.timestamp
        var inc = open[key] ?? Incident(
            anomaly: Anomaly(id: IncidentBook.id(key, t), kind: kind, start: t, lastSeen: t, user: user, sourceIP: source,
                             host: e.host, score: 0, reasons: [], eventCount: 0, evidence: [], details: [:]),
            gap: gap)
        inc.gap = max(inc.gap, gap)
        if t > inc.anomaly.lastSeen { inc.anomaly.lastSeen = t }
        if t < inc.anomaly.start { inc.anomaly.start = t }
        inc.anomaly.eventCount += 1
        if inc.anomaly.evidence.count < evidenceLimit { inc.anomaly.evidence.append(e.location) }
        if let h = e.host, inc.hosts.count < 64 { inc.hosts.insert(h) }
        if inc.anomaly.host == nil { inc.anomaly.host = e.host }
        update(&inc)
        open[key] = inc
        changed.insert(key)
    }

    /// Adds context (a follow-up event) to an open incident without counting it as one of its events.
    mutating func annotate(_ key: String, event e: LogEvent, update: (inout Incident) -> Void) {
        guard var inc = open[key] else { return }
        if e.timestamp > inc.anomaly.lastSeen { inc.anomaly.lastSeen = e.timestamp }
        if inc.anomaly.evidence.count < evidenceLimit { inc.anomaly.evidence.append(e.location) }
        inc.anomaly.eventCount += 1
        update(&inc)
        open[key] = inc
        changed.insert(key)
    }

    /// Closes incidents quiet for longer than their gap.
    mutating func expire(now: Int64) {
        for (k, inc) in open where inc.anomaly.lastSeen.microseconds + inc.gap < now {
            close(k, inc)
        }
    }

    /// Closes everything (end of input).
    mutating func closeAll() {
        for (k, inc) in open { close(k, inc) }
    }

    private mutating func close(_ key: String, _ inc: Incident) {
        open[key] = nil
        changed.remove(key)
        guard inc.anomaly.score > 0 else { return } // opened but never crossed a threshold
        closed.append(inc.anomaly)
        changedClosed.append(inc.anomaly)
    }

    /// Anomalies opened, updated or closed since the last call (for live views).
    mutating func drainChanges() -> [Anomaly] {
        var out = changedClosed
        for k in changed { if let inc = open[k], inc.anomaly.score > 0 { out.append(inc.anomaly) } }
        changed.removeAll(keepingCapacity: true)
        changedClosed.removeAll(keepingCapacity: true)
        return out
    }

    static func id(_ key: String, _ t: Timestamp) -> String {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in key.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
        var m = UInt64(bitPattern: t.microseconds)
        for _ in 0..<8 { h = (h ^ (m & 0xFF)) &* 0x100_0000_01B3; m >>= 8 }
        let hex = String(h, radix: 16)
        return "TL-" + String(repeating: "0", count: max(0, 16 - hex.count)) + hex
    }
}
