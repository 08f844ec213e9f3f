import Foundation
import TriplineCore

/// Everything about one user or source, for the drill-down view.
public struct EntityDetails: Sendable {
    public enum Kind: String, Sendable { case user, source }
    public var kind: Kind
    public var name: String
    /// Its anomalies, newest first.
    public var anomalies: [Anomaly]
    /// Its recent events, newest first.
    public var recentEvents: [LogEvent]
    /// What the model learnt about it (users: usual hours, sources, hosts, methods).
    public var baseline: EntityBaseline
    /// Events per hour over the last 24 hours of log time, oldest first.
    public var timeline: [Int]

    public init(kind: Kind, name: String, anomalies: [Anomaly], recentEvents: [LogEvent], baseline: EntityBaseline, timeline: [Int]) {
        self.kind = kind; self.name = name; self.anomalies = anomalies
        self.recentEvents = recentEvents; self.baseline = baseline; self.timeline = timeline
    }
}
