/// What training leaves out: the events of the incidents the rules find in the training data.
///
/// Every real server's history holds attacks; a model that learns them learns that a
/// brute-forcing address is a usual source and an attacker's session a user's habit. Before
/// training, the rules (no model) are run over the same input; each incident at or above
/// medium then stands for its entity over its time span:
/// - a source's incidents (brute force, slow brute force, spraying, enumeration): every event
///   from that address between the incident's first and last event;
/// - a login after failures: the account's events from the login to the incident's end (the
///   attacker's session and what followed in it), whatever their address;
/// - an account's incidents (privilege escalation, misuse, takeover, bulk access): the
///   account's events over the incident;
/// - and for both, the account's events from the incident's address within 12 hours of it
///   (the session's end, a return later that day).
public struct TrainingExclusion: Sendable {
    /// Incidents whose events are left out.
    public private(set) var incidents = 0
    /// Incidents by kind.
    public private(set) var byKind: [AnomalyKind: Int] = [:]
    /// Events left out so far (counted as training reads them).
    public private(set) var events = 0
    private var bySource: [String: [Span]] = [:]
    private var byUser: [String: [Span]] = [:]
    /// An account's incident from an address: the account's events from that address around
    /// it (the session's end, a return the same day), keyed `user|address`.
    private var byUserSource: [String: [Span]] = [:]
    /// How far around an account's incident its events from the incident's address go.
    static let sessionMargin = micros(12 * 3600)

    struct Span {
        var from: Int64
        var to: Int64
    }

    /// The least severity an incident needs for its events to be left out.
    public static let minimumSeverity = Severity.medium

    /// Nothing excluded.
    public init() {}

    /// Excludes the events of `anomalies` (the rules' findings over the training input).
    public init(_ anomalies: [Anomaly]) {
        add(anomalies)
    }

    /// Excludes the events of the incidents `found`.
    init(_ found: [Found]) {
        add(found)
    }

    /// What exclusion needs of an incident: its kind, entity and time span, without its reasons,
    /// evidence and details (the rules find hundreds of thousands in years of an internet-facing
    /// server's logs, and training holds them until the first pass ends).
    struct Found {
        var kind: AnomalyKind
        var from: Int64
        var to: Int64
        var user: String?
        var source: String?

        /// `a`, when its events are to be left out: at least ``TrainingExclusion/minimumSeverity``,
        /// and of `kinds` when given.
        init?(_ a: Anomaly, kinds: Set<AnomalyKind>? = nil) {
            guard a.severity >= TrainingExclusion.minimumSeverity, kinds?.contains(a.kind) != false else { return nil }
            kind = a.kind
            from = a.start.microseconds
            to = a.lastSeen.microseconds
            user = a.user
            source = a.sourceIP
        }
    }

    /// Excludes the events of `anomalies` too (only those of `kinds`, when given).
    public mutating func add(_ anomalies: [Anomaly], kinds: Set<AnomalyKind>? = nil) {
        add(anomalies.compactMap { Found($0, kinds: kinds) })
    }

    /// Excludes the events of the incidents `found` too.
    mutating func add(_ found: [Found]) {
        for a in found {
            let span = Span(from: a.from, to: a.to)
            switch a.kind {
            case .bruteForce, .slowBruteForce, .passwordSpraying, .userEnumeration, .reconnaissance:
                guard let s = a.source else { continue }
                bySource[s, default: []].append(span)
            case .successAfterFailures, .accountTakeover, .privilegeEscalation, .serviceAccountMisuse, .bulkDataAccess:
                guard let u = a.user else { continue }
                byUser[u, default: []].append(span)
                if let s = a.source {
                    byUserSource[u + "|" + s, default: []].append(Span(from: span.from - TrainingExclusion.sessionMargin, to: span.to + TrainingExclusion.sessionMargin))
                }
            case .unusualActivity:
                continue
            }
            incidents += 1
            byKind[a.kind, default: 0] += 1
        }
        bySource = bySource.mapValues(TrainingExclusion.merged)
        byUser = byUser.mapValues(TrainingExclusion.merged)
        byUserSource = byUserSource.mapValues(TrainingExclusion.merged)
    }

    /// Spans in time order, overlapping ones joined (so a lookup is a binary search).
    private static func merged(_ spans: [Span]) -> [Span] {
        var out: [Span] = []
        for s in spans.sorted(by: { $0.from < $1.from }) {
            if let last = out.last, s.from <= last.to { out[out.count - 1].to = max(last.to, s.to) } else { out.append(s) }
        }
        return out
    }

    /// True when `t` lies in one of `spans` (in time order, disjoint).
    private static func covers(_ spans: [Span], _ t: Int64) -> Bool {
        var lo = 0, hi = spans.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if spans[mid].from <= t { lo = mid + 1 } else { hi = mid }
        }
        return lo > 0 && t <= spans[lo - 1].to
    }

    /// True when `e` belongs to an excluded incident (and counts it).
    public mutating func excludes(_ e: LogEvent) -> Bool {
        guard incidents > 0 else { return false }
        let t = e.timestamp.microseconds
        if let s = e.sourceIP, let spans = bySource[s], TrainingExclusion.covers(spans, t) {
            events += e.repeatCount
            return true
        }
        if let u = e.user, let spans = byUser[u], TrainingExclusion.covers(spans, t) {
            events += e.repeatCount
            return true
        }
        if !byUserSource.isEmpty, let u = e.user, let s = e.sourceIP, let spans = byUserSource[u + "|" + s], TrainingExclusion.covers(spans, t) {
            events += e.repeatCount
            return true
        }
        return false
    }

    /// What the model records.
    public var record: TrainingInfo.Excluded { .init(events: events, incidents: incidents, byKind: Dictionary(uniqueKeysWithValues: byKind.map { ($0.key.rawValue, $0.value) })) }
}
