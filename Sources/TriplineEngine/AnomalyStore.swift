import TriplineCore

/// The anomalies a long-running face keeps (the dashboard's feed, the API's and MCP's
/// `list_anomalies`): bounded, with one eviction rule (the newest by start stay), queryable with
/// an ``AnomalyFilter``, and with totals counted apart from what is kept, so that "anomalies
/// 60,000" stays true when only the newest 500 are shown.
///
/// An incident reported again as it grows replaces its earlier version (same id); it is counted
/// once in the totals, under its latest severity and kind while it is kept.
public struct AnomalyStore: Sendable {
    /// Anomalies kept at most.
    public let capacity: Int

    /// Incidents seen since start, and how many of them at each severity and of each kind.
    public struct Totals: Sendable, Equatable {
        public var incidents = 0
        public var bySeverity: [Severity: Int] = [:]
        public var byKind: [AnomalyKind: Int] = [:]
        public init() {}
    }

    /// Counts over everything seen, kept or not.
    public private(set) var totals = Totals()
    /// Incidents by start and severity over log time (and, from a live engine, events).
    public internal(set) var activity = ActivityHistogram()
    /// Incidents per source address and per user over everything seen (top offenders).
    public private(set) var sources = OffenderTally()
    public private(set) var users = OffenderTally()
    public private(set) var hosts = OffenderTally(capacity: 1_000)
    /// Kept anomalies, packed (see ``KeptAnomaly``), by id.
    private var byID: [KeptAnomaly.Key: KeptAnomaly] = [:]
    private var slabs = PackedSlabs()
    /// What the newest let-go anomalies were counted as: an incident let go while still open
    /// (more than `capacity` newer ones started meanwhile) is reported again when it grows or
    /// closes, and must not be counted twice. Bounded (``forgetAfter``), oldest first out.
    /// Keyed by the id's hash: ids are 19 characters, stored apart from the anomaly; a clash
    /// of two 64-bit hashes among the ones remembered is not a practical concern.
    private var letGo: [Int: (Severity, AnomalyKind)] = [:]
    private var letGoOrder: [Int] = []
    private var letGoHead = 0

    /// How many let-go anomalies are remembered for the totals.
    public let forgetAfter: Int

    /// A store keeping at most `capacity` anomalies (at least one).
    public init(capacity: Int) {
        self.capacity = max(1, capacity)
        forgetAfter = max(10_000, 2 * self.capacity)
    }

    /// Anomalies kept now.
    public var count: Int { byID.count }

    /// Whether older anomalies have been let go (the totals count more than is kept).
    public var isTruncated: Bool { totals.incidents > byID.count }

    /// Adds new anomalies and replaces earlier versions of changed ones.
    public mutating func insert<S: Sequence>(_ anomalies: S) where S.Element == Anomaly {
        for a in anomalies { place(a, isNew: nil) }
        evictIfFull()
    }

    /// Keeps or counts one anomaly. `isNew` is a live detector's word on whether this is the
    /// incident's first report; nil judges by what the store remembers. An incident already
    /// counted and then let go has its count moved to its latest severity and is not shown
    /// again (newer ones have taken its place); one let go and forgotten was counted already,
    /// under the severity it had then.
    private mutating func place(_ a: Anomaly, isNew: Bool?) {
        let key = KeptAnomaly.Key(a.id)
        if isNew == true, byID[key] == nil {
            count(a)
            keep(a, key)
        } else if let old = byID[key] {
            recount(a, was: (old.severity, old.kind))
            keep(a, key)
        } else if let was = letGo[key.hashValue] {
            recount(a, was: was)
            letGo[key.hashValue] = (a.severity, a.kind)
        } else if isNew == nil {
            count(a)
            keep(a, key)
        } else {
            if let src = a.sourceIP { sources.raise(src, to: a.severity) }
            if let u = a.user { users.raise(u, to: a.severity) }
            if let h = a.host { hosts.raise(h, to: a.severity) }
        }
    }

    /// Stores `a` packed under `key`, replacing an earlier version.
    private mutating func keep(_ a: Anomaly, _ key: KeptAnomaly.Key) {
        if let old = byID[key] { slabs.release(old.at) }
        byID[key] = KeptAnomaly(a, into: &slabs)
    }

    /// Counts a new incident.
    private mutating func count(_ a: Anomaly) {
        totals.incidents += 1
        totals.bySeverity[a.severity, default: 0] += 1
        totals.byKind[a.kind, default: 0] += 1
        activity.addIncident(start: a.start, severity: a.severity)
        if let src = a.sourceIP { sources.add(src, severity: a.severity) }
        if let u = a.user { users.add(u, severity: a.severity) }
        if let h = a.host { hosts.add(h, severity: a.severity) }
    }

    /// Moves a counted incident from what it `was` to what `a` is now.
    private mutating func recount(_ a: Anomaly, was: (Severity, AnomalyKind)) {
        totals.bySeverity[was.0, default: 0] -= 1
        totals.byKind[was.1, default: 0] -= 1
        totals.bySeverity[a.severity, default: 0] += 1
        totals.byKind[a.kind, default: 0] += 1
        activity.moveIncident(start: a.start, from: was.0, to: a.severity)
        if let src = a.sourceIP { sources.raise(src, to: a.severity) }
        if let u = a.user { users.raise(u, to: a.severity) }
        if let h = a.host { hosts.raise(h, to: a.severity) }
    }

    /// Lets the oldest go in batches (a tenth of the capacity), so that a steady stream sorts
    /// once per batch rather than once per anomaly.
    private mutating func evictIfFull() {
        if byID.count > capacity + max(1, capacity / 10) {
            let sorted = byID.values.sorted(by: AnomalyStore.newestFirst)
            for a in sorted.dropFirst(capacity) {
                remember(a)
                slabs.release(a.at)
            }
            byID = Dictionary(uniqueKeysWithValues: sorted.prefix(capacity).map { ($0.key, $0) })
            if slabs.isMostlyDead { compact() }
        }
    }

    /// Adds a live detector's reports: an incident is counted when its first report comes,
    /// whatever became of it since (an update about one let go long ago is not counted again).
    public mutating func insert(reports: [AnomalyReport]) {
        for r in reports { place(r.anomaly, isNew: r.isNew) }
        evictIfFull()
    }

    /// Notes what a let-go anomaly was counted as, forgetting the oldest past ``forgetAfter``.
    private mutating func remember(_ a: KeptAnomaly) {
        let key = a.key.hashValue
        if letGo[key] == nil { letGoOrder.append(key) }
        letGo[key] = (a.severity, a.kind)
        while letGo.count > forgetAfter, letGoHead < letGoOrder.count {
            letGo[letGoOrder[letGoHead]] = nil
            letGoHead += 1
        }
        if letGoHead > 1024, letGoHead * 2 > letGoOrder.count {
            letGoOrder.removeFirst(letGoHead)
            letGoHead = 0
        }
    }

    /// Copies the kept anomalies' packed bytes into new slabs, leaving out those let go or
    /// replaced (done when most of the slabs are dead, and by servers after a large analysis).
    public mutating func compact() {
        var fresh = PackedSlabs()
        for k in Array(byID.keys) {
            guard var a = byID[k] else { continue }
            a.at = fresh.append(Array(slabs[a.at]))
            byID[k] = a
        }
        slabs = fresh
    }

    /// One kept anomaly by id.
    public subscript(id: String) -> Anomaly? { byID[KeptAnomaly.Key(id)]?.anomaly(in: slabs) }

    /// Every kept anomaly, newest (by start) first.
    public var newestFirst: [Anomaly] { newest(byID.count) }

    /// The newest (by start) `n` kept anomalies, newest first (only those are unpacked).
    public func newest(_ n: Int) -> [Anomaly] {
        byID.values.sorted(by: AnomalyStore.newestFirst).prefix(max(0, n)).map { $0.anomaly(in: slabs) }
    }

    /// Kept anomalies that pass `filter`, newest first, up to its limit.
    public func matching(_ filter: AnomalyFilter) -> [Anomaly] {
        byID.values.filter { $0.matches(filter) }.sorted(by: AnomalyStore.newestFirst).prefix(filter.limit).map { $0.anomaly(in: slabs) }
    }

    /// Kept anomalies by severity and kind (what `GET /stats` calls kept).
    public var kept: (bySeverity: [Severity: Int], byKind: [AnomalyKind: Int]) {
        var s: [Severity: Int] = [:], k: [AnomalyKind: Int] = [:]
        for a in byID.values {
            s[a.severity, default: 0] += 1
            k[a.kind, default: 0] += 1
        }
        return (s, k)
    }

    /// The order everything is listed in: newest start first, then by id.
    static func newestFirst(_ a: KeptAnomaly, _ b: KeptAnomaly) -> Bool {
        a.start != b.start ? a.start > b.start : b.key < a.key
    }
}
