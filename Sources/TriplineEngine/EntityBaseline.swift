import Foundation
import TriplineCore

/// What the model learnt about one user or source, as data: the faces word it (the drill-down
/// as lines on screen, serve and MCP as strings in an anomaly's details).
public enum EntityBaseline: Sendable, Hashable {
    /// No model is loaded.
    case noModel
    /// The model has no baseline for this name: it was not seen in training.
    case notSeen
    case user(UserBaseline)
    case source(SourceBaseline)
    /// A host: the model keeps no baseline per host (each user's lists the hosts they use).
    case host

    /// The baseline `model` holds for the user or source `name`.
    public init(kind: EntityDetails.Kind, name: String, model: TriplineModel?) {
        if kind == .host { self = .host; return }
        guard let model else { self = .noModel; return }
        switch kind {
        case .user: self = model.users[name].map { .user($0) } ?? .notSeen
        case .source: self = model.sources[name].map { .source($0) } ?? .notSeen
        case .host: self = .host
        }
    }

    /// The baseline as lines an analyst reads (usual hours, sources, hosts, methods, sudo for a
    /// user; events, failures and users for a source); `noModel` says what to do without a model.
    public func lines(noModel: String) -> [String] {
        func top(_ counts: [String: Int], _ n: Int) -> [(key: String, value: Int)] {
            Array(counts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(n))
        }
        switch self {
        case .noModel:
            return [noModel]
        case .notSeen:
            return ["not seen in training"]
        case .host:
            return ["no baseline per host: each user's baseline lists the hosts they log in to"]
        case .user(let b):
            let hours = (0..<24).filter { b.hours[$0] > 0 }.map { String(format: "%02d", $0) }.joined(separator: " ")
            return [
                "usual hours (UTC): \(hours.isEmpty ? "none seen" : hours)",
                "sources: " + top(b.sources, 5).map { "\($0.key) (\($0.value))" }.joined(separator: ", "),
                "hosts: " + top(b.hosts, 5).map { "\($0.key) (\($0.value))" }.joined(separator: ", "),
                "login methods: " + top(b.methods, .max).map { "\($0.key) \($0.value)" }.joined(separator: ", "),
                "sudo commands: \(b.sudoCount); days active: \(b.activeDays)" + (b.isServiceAccount ? "; behaves like a service account" : ""),
            ]
        case .source(let b):
            return [
                "seen in training: \(b.events) events, \(b.failures) failures",
                "users: " + top(b.users, 8).map { $0.key }.joined(separator: ", "),
            ]
        }
    }
}
