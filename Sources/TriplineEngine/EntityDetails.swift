import TriplineCore

/// Everything about one user or source, for the drill-down view.
public struct EntityDetails: Sendable {
    public enum Kind: String, Sendable { case user, source }
    public var kind: Kind
    public var name: String
    /// Its anomalies, newest first.
    public var anomalies: [Anomaly]
    /// Its recent events, newest first, as log lines.
    public var recentEvents: [String]
    /// The baseline (users: usual hours, sources, hosts, methods), when the model has one.
    public var baseline: [String]
    /// Events per hour over the last 24 hours of log time, oldest first.
    public var timeline: [Int]

    public init(kind: Kind, name: String, anomalies: [Anomaly], recentEvents: [String], baseline: [String], timeline: [Int]) {
        self.kind = kind; self.name = name; self.anomalies = anomalies
        self.recentEvents = recentEvents; self.baseline = baseline; self.timeline = timeline
    }
}
