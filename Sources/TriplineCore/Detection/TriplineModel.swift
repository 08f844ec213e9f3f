import Foundation

/// A trained model: entity baselines, the isolation forest, the thresholds it was trained
/// with, and where it came from. Stored as one human-readable JSON file (`model.json`),
/// written atomically, with a format version checked on load.
public struct TriplineModel: Sendable, Codable {
    /// The model file format this build writes and reads.
    public static let formatVersion = 1
    /// The file name inside the model folder.
    public static let fileName = "model.json"

    /// Always `tripline-model`.
    public var format = "tripline-model"
    /// The file format version.
    public var version = TriplineModel.formatVersion
    /// When it was trained (ISO 8601 UTC).
    public var createdAt: String
    /// The Tripline version that trained it.
    public var triplineVersion: String
    /// What it was trained on.
    public var training: TrainingInfo
    /// The thresholds in force at training time.
    public var config: DetectionConfig
    /// Feature names of the forest, in order.
    public var features: [String]
    /// The isolation forest (nil when there were no scorable events).
    public var forest: IsolationForest?
    /// Per-user baselines.
    public var users: [String: UserBaseline]
    /// Per-source baselines.
    public var sources: [String: SourceBaseline]
    /// Per-host baselines.
    public var hosts: [String: HostBaseline]
    /// Per event kind, events per user-hour across all users (for users without history).
    public var globalVolume: [String: HourlyVolume]
    /// Networks (see ``networkPrefix(_:)``) and how many users logged in from each: a network
    /// many colleagues use (the office, the VPN pool) is no sign of a stranger.
    public var networks: [String: Int] = [:]

    enum CodingKeys: String, CodingKey {
        case format, version, createdAt = "created_at", triplineVersion = "tripline_version", training, config
        case features, forest, users, sources, hosts, globalVolume = "global_volume", networks
    }

    /// Accounts that behave like service accounts.
    public var serviceAccounts: [String] { users.filter { $0.value.isServiceAccount }.map(\.key).sorted() }

    /// The model file in a folder.
    public static func path(in directory: String) -> String {
        URL(fileURLWithPath: directory).appendingPathComponent(fileName).path
    }

    /// The largest model file loaded (a model of a million users is well under it).
    public static let maxFileBytes = 1 << 30

    /// Loads `model.json` from a folder, with errors that say what to run.
    public static func load(from directory: String) throws(ModelError) -> TriplineModel {
        let p = path(in: directory)
        guard FileManager.default.fileExists(atPath: p) else { throw .missing(path: p) }
        let bytes: [UInt8]
        do { bytes = try FileBytes.read(p, limit: TriplineModel.maxFileBytes) } catch {
            switch error {
            case .unreadable(let why): throw .unreadable(path: p, reason: why)
            case .tooLarge(let limit): throw .corrupt(path: p, reason: "larger than \(limit >> 20) MiB, more than any model Tripline writes")
            }
        }
        let model: TriplineModel
        do { model = try bytes.withUnsafeBufferPointer { b throws(ModelReader.Refusal) in try ModelReader.model(ByteSpan(b)) } } catch {
            switch error {
            case .notJSON(let why): throw .corrupt(path: p, reason: "not valid JSON (\(why))")
            case .notAModel: throw .corrupt(path: p, reason: "not a Tripline model (no \"format\": \"tripline-model\")")
            case .noVersion: throw .corrupt(path: p, reason: "no version")
            case .version(let found): throw .wrongVersion(path: p, found: found, expected: formatVersion)
            case .field(let why): throw .corrupt(path: p, reason: why)
            }
        }
        if let problem = model.baselineProblem { throw .corrupt(path: p, reason: problem) }
        if let forest = model.forest {
            if let problem = forest.structuralProblem { throw .corrupt(path: p, reason: "its isolation forest is inconsistent: \(problem)") }
            if forest.featureCount != FeatureExtractor.names.count {
                throw .corrupt(path: p, reason: "its isolation forest scores \(forest.featureCount) features, this build computes \(FeatureExtractor.names.count)")
            }
        }
        return model
    }

    /// What is wrong with the baselines of a model read from a file, or nil: 24 hours per user
    /// and host, and counts that are counts (never negative, nor so large that adding them up
    /// would overflow), since detection indexes and sums them on every event.
    public var baselineProblem: String? {
        let most = 1 << 48
        func bad(_ v: Int) -> Bool { v < 0 || v > most }
        func badCounts(_ d: [String: Int]) -> Bool { d.count > 1 << 20 || d.values.contains(where: bad) }
        for (name, u) in users {
            if u.hours.count != 24 || u.hours.contains(where: bad) { return "user \(name): hours must be 24 counts" }
            if bad(u.events) || bad(u.weekendEvents) || bad(u.sudoCount) || bad(u.failures) || bad(u.activeDays) {
                return "user \(name): a count out of range"
            }
            if badCounts(u.sources) || badCounts(u.networks) || badCounts(u.hosts) || badCounts(u.methods) || badCounts(u.eventTypes) {
                return "user \(name): a count out of range"
            }
            if u.hourlyVolume.values.contains(where: { !$0.p95.isFinite || !$0.max.isFinite }) { return "user \(name): a volume is not a number" }
        }
        for (name, h) in hosts {
            if h.hours.count != 24 || h.hours.contains(where: bad) || bad(h.events) || badCounts(h.users) { return "host \(name): hours must be 24 counts" }
        }
        for (name, s) in sources where bad(s.events) || bad(s.failures) || badCounts(s.users) {
            return "source \(name): a count out of range"
        }
        if globalVolume.values.contains(where: { !$0.p95.isFinite || !$0.max.isFinite }) { return "a global volume is not a number" }
        if let problem = config.problem { return "its detection settings: \(problem)" }
        return nil
    }

    /// Writes `model.json` into a folder (created if missing) atomically.
    public func save(to directory: String) throws(ModelError) {
        let p = TriplineModel.path(in: directory)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            // Written straight from the model (see ModelWriter): no tree of it all in memory.
            let text = try ModelWriter.bytes(self)
            // Owner only: the model holds every user's habits (where and when they log in).
            try AtomicFile.write(text, to: p, mode: AtomicFile.privateMode)
        } catch {
            let reason = (error as? AtomicFile.Failure)?.reason ?? (error as? ModelWriter.Unwritable)?.reason ?? error.localizedDescription
            throw .unwritable(path: p, reason: reason)
        }
    }
}

/// What a model was trained on.
public struct TrainingInfo: Sendable, Codable, Hashable {
    public var files: [String]
    public var events: Int
    public var skippedLines: Int
    public var from: String?
    public var to: String?
    public var baselineDays: Double?
    public var seconds: Double
    public var scoredEvents: Int
    /// The events left out as parts of incidents (nil: none were looked for, as in models
    /// trained before this was done).
    public var excluded: Excluded?

    /// Events left out of training (see ``TrainingExclusion``).
    public struct Excluded: Sendable, Codable, Hashable {
        public var events: Int
        public var incidents: Int
        /// Incidents by kind (`brute_force`: 5).
        public var byKind: [String: Int]

        enum CodingKeys: String, CodingKey {
            case events, incidents, byKind = "by_kind"
        }

        /// "excluded 412 events in 9 incidents (brute force 5, password spraying 4)".
        public var summary: String {
            guard incidents > 0 else { return "no incidents found in the training data to leave out" }
            let kinds = byKind.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
                .map { "\(AnomalyKind(rawValue: $0.key)?.title ?? $0.key) \($0.value)" }
            return "excluded \(events) event\(events == 1 ? "" : "s") in \(incidents) incident\(incidents == 1 ? "" : "s") the rules found (\(kinds.joined(separator: ", ")))"
        }
    }

    enum CodingKeys: String, CodingKey {
        case files, events, skippedLines = "skipped_lines", from, to, baselineDays = "baseline_days", seconds
        case scoredEvents = "scored_events", excluded
    }
}

/// Why a model could not be used, and what to do about it.
public enum ModelError: Error, Sendable, CustomStringConvertible {
    case missing(path: String)
    case unreadable(path: String, reason: String)
    case corrupt(path: String, reason: String)
    case wrongVersion(path: String, found: Int, expected: Int)
    case unwritable(path: String, reason: String)

    /// A few words for a narrow pane (``description`` says the rest).
    public var brief: String {
        switch self {
        case .missing: return "no model trained"
        case .unreadable: return "model.json unreadable"
        case .corrupt: return "model.json is damaged"
        case .wrongVersion(_, let found, let expected): return "model v\(found), needs v\(expected)"
        case .unwritable: return "model.json unwritable"
        }
    }

    public var description: String {
        switch self {
        case .missing(let p):
            return "no model at \(p): train one first with 'tripline train --data-path LOGS' (or pass --model-dir)"
        case .unreadable(let p, let r):
            return "cannot read the model \(p): \(r)"
        case .corrupt(let p, let r):
            return "the model \(p) is damaged (\(r)): run 'tripline train --data-path LOGS' again"
        case .wrongVersion(let p, let found, let expected):
            return "model file \(p) is version \(found), this build reads version \(expected): run 'tripline train' again"
        case .unwritable(let p, let r):
            return "cannot write the model \(p): \(r)"
        }
    }
}
