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
    /// The baseline (users: usual hours, sources, hosts, methods), when the model has one.
    public var baseline: [String]
    /// Events per hour over the last 24 hours of log time, oldest first.
    public var timeline: [Int]

    public init(kind: Kind, name: String, anomalies: [Anomaly], recentEvents: [LogEvent], baseline: [String], timeline: [Int]) {
        self.kind = kind; self.name = name; self.anomalies = anomalies
        self.recentEvents = recentEvents; self.baseline = baseline; self.timeline = timeline
    }
}

extension EntityDetails {
    /// What the model learnt about a user (usual hours, sources, hosts, methods, sudo) or a
    /// source (events, failures, users), as lines an analyst reads; `noModel` when there is none.
    public static func baseline(kind: Kind, name: String, model: TriplineModel?, noModel: String) -> [String] {
        var lines: [String] = []
        if kind == .user, let b = model?.users[name] {
            let hours = (0..<24).filter { b.hours[$0] > 0 }.map { String(format: "%02d", $0) }.joined(separator: " ")
            lines.append("usual hours (UTC): \(hours.isEmpty ? "none seen" : hours)")
            lines.append("sources: " + b.sources.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(5).map { "\($0.key) (\($0.value))" }.joined(separator: ", "))
            lines.append("hosts: " + b.hosts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(5).map { "\($0.key) (\($0.value))" }.joined(separator: ", "))
            lines.append("login methods: " + b.methods.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
            lines.append("sudo commands: \(b.sudoCount); days active: \(b.activeDays)" + (b.isServiceAccount ? "; behaves like a service account" : ""))
        } else if kind == .source, let b = model?.sources[name] {
            lines.append("seen in training: \(b.events) events, \(b.failures) failures")
            lines.append("users: " + b.users.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(8).map { $0.key }.joined(separator: ", "))
        } else {
            lines.append(model == nil ? noModel : "not seen in training")
        }
        return lines
    }
}
