import Foundation
import TriplineCore

/// Everything about one user or source, for the drill-down view.
public struct EntityDetails: Sendable {
    public enum Kind: String, Sendable { case user, source, host }
    public var kind: Kind
    public var name: String
    /// Its anomalies, newest first.
    public var anomalies: [Anomaly]
    /// Its recent events, newest first.
    public var recentEvents: [LogEvent]
    /// What the model learnt about it (users: usual hours, sources, hosts, methods).
    public var baseline: EntityBaseline
    /// Its activity from the first to the last event seen, with its incidents marked.
    public var timeline: EntityTimeline

    public init(kind: Kind, name: String, anomalies: [Anomaly], recentEvents: [LogEvent], baseline: EntityBaseline, timeline: EntityTimeline) {
        self.kind = kind; self.name = name; self.anomalies = anomalies
        self.recentEvents = recentEvents; self.baseline = baseline; self.timeline = timeline
    }
}

/// An entity's activity from its first to its last event or incident seen, in equal buckets,
/// with the buckets its incidents cover marked by the worst severity active in each: the answer
/// to "when was it busy, and when did it attack", whether that was a minute or two days ago.
public struct EntityTimeline: Sendable, Equatable {
    /// The start of the first bucket.
    public var from: Timestamp
    /// Microseconds per bucket.
    public var bucket: Int64
    /// Events per bucket, oldest first.
    public var counts: [Int]
    /// The worst severity of an incident active in each bucket, or nil.
    public var worst: [Severity?]

    /// No activity.
    public static let empty = EntityTimeline(from: Timestamp(microseconds: 0), bucket: 60_000_000, counts: [], worst: [])

    public init(from: Timestamp, bucket: Int64, counts: [Int], worst: [Severity?]) {
        self.from = from; self.bucket = bucket; self.counts = counts; self.worst = worst
    }

    /// The timeline of `events` and `incidents` in `buckets` buckets (a minute each at least).
    public init(events: [Timestamp], incidents: [Anomaly], buckets: Int = 48) {
        let times = events.map(\.microseconds) + incidents.flatMap { [$0.start.microseconds, $0.lastSeen.microseconds] }
        guard let lo = times.min(), let hi = times.max(), buckets > 0 else { self = .empty; return }
        let width = max(60_000_000, (hi - lo) / Int64(buckets) + 1)
        let n = Int((hi - lo) / width) + 1
        var counts = Array(repeating: 0, count: n)
        for t in events { counts[Int((t.microseconds - lo) / width)] += 1 }
        var worst = [Severity?](repeating: nil, count: n)
        for a in incidents {
            let first = Int((a.start.microseconds - lo) / width), last = Int((max(a.lastSeen, a.start).microseconds - lo) / width)
            for i in first...last where worst[i].map({ a.severity > $0 }) ?? true { worst[i] = a.severity }
        }
        self.init(from: Timestamp(microseconds: lo), bucket: width, counts: counts, worst: worst)
    }

    /// The end of the last bucket.
    public var to: Timestamp { Timestamp(microseconds: from.microseconds + bucket * Int64(counts.count)) }
}
