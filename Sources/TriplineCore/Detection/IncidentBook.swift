import HeapModule

/// Open incidents, keyed by entity, and the ones already closed. An incident stays open while
/// events keep coming within its gap; then it is closed and its anomaly is final.
struct IncidentBook {
    /// An incident being built: the anomaly so far, plus the running numbers its rule needs.
    struct Incident {
        var anomaly: Anomaly
        var gap: Int64
        var failures = 0.0
        /// The accounts a source tried (source incidents).
        var accounts = AccountTally()
        var hours = Set<Int64>()
        /// The most failures within any brute-force window (a sliding window, not clock-aligned
        /// buckets: six failures in 25 s across a ten-minute mark are six in ten minutes).
        var maxInTenMinutes = 0.0
        /// Failures within the brute-force window ending at the newest, oldest first (capped).
        var windowFailures: [(time: Int64, weight: Double)] = []
        var windowHead = 0
        var windowSum = 0.0

        /// Counts a failure into the sliding window of `span` microseconds.
        mutating func slide(_ time: Int64, weight: Double, span: Int64) {
            var at = windowFailures.count
            while at > windowHead, windowFailures[at - 1].time > time { at -= 1 }
            windowFailures.insert((time, weight), at: at)
            windowSum += weight
            let newest = windowFailures[windowFailures.count - 1].time
            while windowHead < windowFailures.count,
                  windowFailures[windowHead].time < newest - span || windowFailures.count - windowHead > IncidentBook.windowCap {
                windowSum -= windowFailures[windowHead].weight
                windowHead += 1
            }
            if windowHead > 64, windowHead * 2 > windowFailures.count {
                windowFailures.removeFirst(windowHead)
                windowHead = 0
            }
            maxInTenMinutes = max(maxInTenMinutes, windowSum)
        }
        /// A source's failed logins before the burst the incident is about (see
        /// ``Detector/classifySource(_:config:knownSourceForUser:)``).
        struct Prior {
            var failures: Double
            var first: Int64
            /// Counted in ``failures`` (a slow brute force that turned into a burst).
            var counted: Bool
        }
        var prior: Prior?
        /// The incident of the same entity and rule that closed before this one opened (within a day).
        var previous: (id: String, end: Timestamp)?
        /// When the burst began, and when the slow brute force (its hours of failures) began.
        var burstStart: Int64 = .max
        var slowStart: Int64 = .max
        var points = 0.0
        var notes: [String] = []
        var hosts = Set<String>()
        /// The host last put in ``hosts`` (an attack's lines mostly come from one: no hashing).
        var lastHost: String?
        var followUps = 0
        /// The host clock it is timed by (see ``HostClocks``).
        var clock = ""
        /// Handed out by ``drainReports()`` already (later reports are updates).
        var reported = false
        /// A source incident whose reasons and details are still to be written from its
        /// numbers, with what they are written with (see ``Detector/describeSource(_:)``).
        var sourceText: SourceText?
        struct SourceText {
            /// (Shared: 256 bytes in each of thousands of open incidents otherwise.)
            var config: SharedConfig
            var knownSourceForUser: Bool
        }

        /// The anomaly as handed out: with its reasons written.
        var readOut: Anomaly {
            guard sourceText != nil else { return anomaly }
            var copy = self
            Detector.describeSource(&copy)
            return copy.anomaly
        }
        /// The time its entry in the expiry queue stands for (.min: none yet).
        var queued: Int64 = .min

        /// Cites a location, up to `limit` of them.
        mutating func addEvidence(_ location: EvidenceLocation, limit: Int) {
            if anomaly.evidence.count < limit {
                anomaly.evidence.append(location)
            } else {
                anomaly.evidenceTruncated = true
            }
        }
    }

    /// Failures an incident keeps one by one for its sliding window (as a source keeps at most
    /// ``SourceState/cap``).
    static let windowCap = 4000

    /// An open incident, held by reference: the table of open incidents then costs a pointer
    /// for each of its buckets, empty or not, rather than a whole incident (688 bytes: the 7,200
    /// incidents open at once in a flood of addresses took 11.5 MB of table, most of it empty
    /// buckets and the copy made as the table grew).
    final class Held {
        var incident: Incident
        init(_ incident: Incident) { self.incident = incident }
    }

    private(set) var open: [String: Held] = [:]
    /// The key last looked up in ``open`` and its place: an attack's lines ask about the same
    /// incident two or three times each (open? then record), hashing its key once. Any
    /// insertion or removal clears it.
    private var lastSlot: (key: String, index: Dictionary<String, Held>.Index)?

    /// The incident at `i` in ``open``, to be changed: copied first when another book holds it
    /// too (a copied detector has incidents of its own, as a value should).
    private mutating func changing(_ i: Dictionary<String, Held>.Index) -> Held {
        if !isKnownUniquelyReferenced(&open.values[i]) { open.values[i] = Held(open.values[i].incident) }
        return open.values[i]
    }

    /// Where the incident under `key` is in ``open`` (nil: none).
    private mutating func slot(_ key: String) -> Dictionary<String, Held>.Index? {
        if let l = lastSlot, l.key == key { return l.index }
        let i = open.index(forKey: key)
        lastSlot = i.map { (key, $0) }
        return i
    }
    /// Where the open incident under `key` is held, if it is still going on at ``time``: one
    /// whose gap has passed is closed here, and then there is none.
    private mutating func openSlot(_ key: String) -> Dictionary<String, Held>.Index? {
        guard let i = slot(key) else { return nil }
        guard IncidentBook.isOver(open.values[i], at: time) else { return i }
        close(key, open.values[i])
        return nil
    }
    /// The key of a source's incident: the address itself, as the table of sources holds it (a
    /// key made as `src|` and the address was kept for each of tens of thousands of sources,
    /// and allocated for most IPv4 addresses, whose 12–15 characters no longer fit in a
    /// string's own 15 bytes with the prefix). Every other rule's key holds a `|`, so a key
    /// without one is a source's; a source with one (PAM's `rhost` can name anything) keeps
    /// the prefix, which no other rule's key begins with.
    static func sourceKey(_ source: String) -> String {
        source.utf8.contains(IncidentBook.separator) ? "src|" + source : source
    }
    static let separator = UInt8(ascii: "|")
    /// Keys of open incidents by host clock.
    private var byClock: [String: Set<String>] = [:]
    /// When open incidents could be over, soonest first, per host clock: sweeping looks only at
    /// those whose time has come, not at every open incident (a flood of thousands of open
    /// attacks costs nothing between their deadlines). Entries are checked when they come up:
    /// an incident that went on since is queued again at its new deadline.
    private var deadlines: [String: Heap<Deadline>] = [:]
    struct Deadline: Comparable {
        var at: Int64
        var key: String
        static func < (a: Deadline, b: Deadline) -> Bool { a.at < b.at }
        static func == (a: Deadline, b: Deadline) -> Bool { a.at == b.at && a.key == b.key }
    }

    /// Queues `inc` (about to be stored under `key`) at its deadline when that is sooner than
    /// what it is queued at. (On the queues alone, so that an incident held in another stored
    /// property can be queued while it is changed in place.)
    private static func enqueue(_ key: String, _ inc: inout Incident, in deadlines: inout [String: Heap<Deadline>]) {
        let d = inc.anomaly.lastSeen.microseconds + inc.gap
        guard inc.queued == .min || d < inc.queued else { return }
        inc.queued = d
        deadlines[inc.clock, default: Heap()].insert(Deadline(at: d, key: key))
    }
    private(set) var closed: [Anomaly] = []
    /// The latest closed incident under each key (by the key's hash: a day of a botnet's
    /// one-off addresses must not cost a string each): a new burst of the same entity links
    /// to it.
    private var previous: [Int: Closed] = [:]
    struct Closed {
        var id: UInt64
        var end: Int64
        var text: String { IncidentBook.idText(id) }
    }
    static let previousCap = 20_000
    private var changed = Set<String>()
    private var changedClosed: [AnomalyReport] = []
    /// How many `file:line` locations an incident keeps; a model swap may change it.
    var evidenceLimit: Int
    /// Whether closed incidents are kept for ``Detector/finish()`` (an analysis of a file); a
    /// live view takes them from ``drainChanges()`` instead, and keeping them would grow for ever.
    var keepsClosed = true
    /// Where closed incidents go instead of being kept (a long analysis writes them out).
    var handsClosed: ((Anomaly) -> Void)?
    /// Whether changes are noted for ``drainReports()``: off unless a live view, which drains
    /// them, turns it on (noted and never drained, they would pile up for ever).
    var reportsChanges = false

    /// The time of the event being processed and the host clock it is timed by: an incident
    /// quiet for longer than its gap at that time is over, swept or not yet.
    private(set) var time: Int64 = .min
    private(set) var clock = ""

    init(evidenceLimit: Int) { self.evidenceLimit = evidenceLimit }

    /// Sets the time and host clock of the event about to be processed.
    mutating func begin(time: Int64, clock: String) {
        self.time = time
        self.clock = clock
    }

    /// The open incident under `key`, if any (one whose gap has passed is over).
    func incident(_ key: String) -> Incident? {
        guard let held = open[key], !IncidentBook.isOver(held, at: time) else { return nil }
        var inc = held.incident
        Detector.describeSource(&inc)
        return inc
    }

    /// Whether an incident is open under `key` (``incident(_:)`` without copying it).
    mutating func isOpen(_ key: String) -> Bool {
        guard let i = slot(key) else { return false }
        return !IncidentBook.isOver(open.values[i], at: time)
    }

    /// Whether the incident is quiet for longer than its gap at `time` (read in place: a copy of
    /// the incident would retain each of its tables).
    private static func isOver(_ held: Held, at time: Int64) -> Bool {
        held.incident.anomaly.lastSeen.microseconds + held.incident.gap < time
    }

    /// Adds `e` to the incident under `key` (opening one of `kind` if none), then lets `update`
    /// refresh its numbers, score and reasons.
    mutating func record(_ key: String, kind: AnomalyKind, event e: LogEvent, gap: Int64, user: String?, source: String?,
                         update: (inout Incident) -> Void) {
        let t = e.timestamp
        if let i = openSlot(key) {
            // Changed where it is held, without hashing the key again.
            let held = changing(i)
            IncidentBook.add(e, to: &held.incident, gap: gap, evidenceLimit: evidenceLimit, update: update)
            IncidentBook.enqueue(key, &held.incident, in: &deadlines)
        } else {
            var inc = Incident(anomaly: Anomaly(id: IncidentBook.id(key, t), kind: kind, start: t, lastSeen: t, user: user, sourceIP: source,
                                                host: e.host, score: 0, reasons: [], eventCount: 0, evidence: [], details: [:]),
                               gap: gap, clock: clock)
            if let p = previous[key.hashValue], p.end <= t.microseconds, t.microseconds - p.end <= micros(86_400) {
                inc.previous = (p.text, Timestamp(microseconds: p.end))
            }
            byClock[clock, default: []].insert(key)
            IncidentBook.add(e, to: &inc, gap: gap, evidenceLimit: evidenceLimit, update: update)
            IncidentBook.enqueue(key, &inc, in: &deadlines)
            open[key] = Held(inc)
            lastSlot = nil
        }
        if reportsChanges { changed.insert(key) }
    }

    /// Adds `e` to `inc` (its times, count, evidence and hosts), then lets `update` refresh its
    /// numbers, score and reasons.
    @inline(__always)
    private static func add(_ e: LogEvent, to inc: inout Incident, gap: Int64, evidenceLimit: Int, update: (inout Incident) -> Void) {
        let t = e.timestamp
        inc.gap = max(inc.gap, gap)
        if t > inc.anomaly.lastSeen { inc.anomaly.lastSeen = t }
        if t < inc.anomaly.start { inc.anomaly.start = t }
        inc.anomaly.eventCount += e.repeatCount
        inc.addEvidence(e.location, limit: evidenceLimit)
        if let h = e.host, h != inc.lastHost, inc.hosts.count < 64 {
            inc.hosts.insert(h)
            inc.lastHost = h
        }
        if inc.anomaly.host == nil { inc.anomaly.host = e.host }
        update(&inc)
        // After the rule's update, which may set the details afresh.
        if let p = inc.previous { inc.anomaly.details["previous_incident"] = .string(p.id) }
    }

    /// Adds context (a follow-up event) to an open incident without counting it as one of its events.
    mutating func annotate(_ key: String, event e: LogEvent, update: (inout Incident) -> Void) {
        guard let i = openSlot(key) else { return }
        let held = changing(i)
        if e.timestamp > held.incident.anomaly.lastSeen { held.incident.anomaly.lastSeen = e.timestamp }
        held.incident.addEvidence(e.location, limit: evidenceLimit)
        held.incident.anomaly.eventCount += e.repeatCount
        update(&held.incident)
        IncidentBook.enqueue(key, &held.incident, in: &deadlines)
        if reportsChanges { changed.insert(key) }
    }

    /// Closes incidents quiet for longer than their gap: those timed by `clock` against `now`.
    mutating func expire(clock: String, now: Int64) {
        // Most sweeps find nothing due: asked in place, without taking the queue out and
        // putting it back (two hashes of the clock).
        guard let di = deadlines.index(forKey: clock) else { return }
        switch IncidentBook.soonest(&deadlines.values[di]) {
        case nil:
            deadlines.remove(at: di)
            return
        case let at? where at >= now:
            return
        default:
            break
        }
        var queue = deadlines.remove(at: di).value
        defer { if !queue.isEmpty { deadlines[clock] = queue } }
        while let first = queue.min, first.at < now {
            _ = queue.removeMin()
            // An entry for an incident closed since, or queued again sooner, is stale. (The
            // incident is read in place: a copy would retain each of its tables.)
            guard let i = open.index(forKey: first.key) else { continue }
            let (sameClock, queued, d) = IncidentBook.timing(open.values[i], clock: clock)
            guard sameClock, queued == first.at else { continue }
            if d < now {
                close(first.key, open.values[i])
            } else {
                changing(i).incident.queued = d
                queue.insert(Deadline(at: d, key: first.key))
            }
        }
    }

    /// The soonest deadline queued (nil: none), read in place.
    private static func soonest(_ queue: inout Heap<Deadline>) -> Int64? { queue.min?.at }

    /// Whether the incident is timed by `clock`, what it is queued at, and when it is over.
    private static func timing(_ held: Held, clock: String) -> (Bool, Int64, Int64) {
        (held.incident.clock == clock, held.incident.queued, held.incident.anomaly.lastSeen.microseconds + held.incident.gap)
    }

    /// Closes incidents quiet for longer than their gap, each against its own host's time,
    /// though never more than `lag` behind `newest` (a host gone silent does not keep its
    /// incidents open for ever).
    mutating func expire(now: (String) -> Int64, newest: Int64, lag: Int64) {
        for clock in Array(deadlines.keys) { expire(clock: clock, now: max(now(clock), newest - lag)) }
    }

    /// How many incidents are open.
    var openCount: Int { open.count }

    /// Closes the quietest incidents early, down to three quarters of `limit`, once more than
    /// `limit` are open. An open incident holds its rule's running numbers, its evidence and
    /// its accounts (about 1.5 KB), and stays open for its gap, half an hour for a source: a
    /// botnet whose thousands of addresses try a few passwords each and move on keeps
    /// thousands open at once, and more the faster it goes. The ones quiet longest, in their
    /// own host's time (`now`), are the most likely to be over; one whose entity goes on opens
    /// a new incident, linked to the closed one as its `previous_incident`.
    mutating func shed(limit: Int, now: (String) -> Int64) {
        guard open.count > limit else { return }
        let target = limit - limit / 4
        var quiet = open.map { key, held in
            (idle: now(held.incident.clock) - held.incident.anomaly.lastSeen.microseconds, key: key)
        }
        // Quietest first; ties by key, so that every run closes the same ones.
        quiet.sort { $0.idle != $1.idle ? $0.idle > $1.idle : $0.key < $1.key }
        for q in quiet.prefix(open.count - target) {
            if let held = open[q.key] { close(q.key, held) }
        }
    }

    /// Closes the incidents timed by `clock` (its host's time went back: a new timeline).
    mutating func closeAll(clock: String) {
        guard let keys = byClock[clock] else { return }
        for k in keys { if let held = open[k] { close(k, held) } }
    }

    /// Closes everything (end of input).
    mutating func closeAll() {
        // Taken out first: closing one while iterating the table would copy the whole table
        // (thousands of open incidents at the end of a flood) on the first removal.
        let all = open
        open = [:]
        for (k, held) in all { close(k, held) }
    }

    private mutating func close(_ key: String, _ held: Held) {
        open[key] = nil
        let inc = held.incident
        lastSlot = nil
        byClock[inc.clock]?.remove(key)
        if byClock[inc.clock]?.isEmpty == true { byClock[inc.clock] = nil }
        changed.remove(key)
        guard inc.anomaly.score > 0 else { return } // opened but never crossed a threshold
        let anomaly = inc.readOut
        if let hand = handsClosed { hand(anomaly) } else if keepsClosed { closed.append(anomaly) }
        // The next incident under the key links back to this one (kept a day; bounded).
        if previous.count >= IncidentBook.previousCap {
            let horizon = inc.anomaly.lastSeen.microseconds - micros(86_400)
            previous = previous.filter { $0.value.end >= horizon }
            if previous.count >= IncidentBook.previousCap / 2 { previous.removeAll(keepingCapacity: true) }
        }
        if let id = UInt64(inc.anomaly.id.dropFirst(3), radix: 16) {
            previous[key.hashValue] = Closed(id: id, end: inc.anomaly.lastSeen.microseconds)
        }
        if reportsChanges { changedClosed.append(AnomalyReport(anomaly: anomaly, isNew: !inc.reported)) }
    }

    /// Anomalies opened, updated or closed since the last call (for live views).
    mutating func drainChanges() -> [Anomaly] { drainReports().map(\.anomaly) }

    /// Like ``drainChanges()``, each marked new the first time its incident is handed out, so
    /// that a live view counts incidents without remembering every id it ever saw.
    mutating func drainReports() -> [AnomalyReport] {
        var out = changedClosed
        for k in changed {
            guard let i = open.index(forKey: k), open.values[i].incident.anomaly.score > 0 else { continue }
            let reported = open.values[i].incident.reported
            out.append(AnomalyReport(anomaly: open.values[i].incident.readOut, isNew: !reported))
            if !reported { changing(i).incident.reported = true }
        }
        changed.removeAll(keepingCapacity: true)
        changedClosed.removeAll(keepingCapacity: true)
        return out
    }

    static func id(_ key: String, _ t: Timestamp) -> String {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        // A source's bare key is hashed as `src|` and the address, as every key once was.
        if !key.utf8.contains(IncidentBook.separator) {
            for b in "src|".utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
        }
        for b in key.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
        var m = UInt64(bitPattern: t.microseconds)
        for _ in 0..<8 { h = (h ^ (m & 0xFF)) &* 0x100_0000_01B3; m >>= 8 }
        return idText(h)
    }

    /// `TL-` and the id's 16 hex digits.
    static func idText(_ h: UInt64) -> String {
        let hex = String(h, radix: 16)
        return "TL-" + String(repeating: "0", count: max(0, 16 - hex.count)) + hex
    }
}

/// An anomaly a live view is told about: new (the first report of its incident) or an update.
public struct AnomalyReport: Sendable {
    public var anomaly: Anomaly
    /// The first report of this incident (its later reports, as it grows and closes, are not).
    public var isNew: Bool
    public init(anomaly: Anomaly, isNew: Bool) { self.anomaly = anomaly; self.isNew = isNew }
}
