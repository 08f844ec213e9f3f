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

    /// Loads `model.json` from a folder, with errors that say what to run.
    public static func load(from directory: String) throws(ModelError) -> TriplineModel {
        let p = path(in: directory)
        guard FileManager.default.fileExists(atPath: p) else { throw .missing(path: p) }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: p)) } catch {
            throw .unreadable(path: p, reason: error.localizedDescription)
        }
        let doc: JSONValue
        do { doc = try JSONParser.parse(String(decoding: data, as: UTF8.self)) } catch {
            throw .corrupt(path: p, reason: "not valid JSON (\(error))")
        }
        guard doc["format"] == .string("tripline-model") else { throw .corrupt(path: p, reason: "not a Tripline model (no \"format\": \"tripline-model\")") }
        guard case .int(let v)? = doc["version"] else { throw .corrupt(path: p, reason: "no version") }
        guard v == formatVersion else { throw .wrongVersion(path: p, found: Int(v), expected: formatVersion) }
        let model: TriplineModel
        do {
            model = try JSONDecoder().decode(TriplineModel.self, from: data)
        } catch {
            throw .corrupt(path: p, reason: "\(error)")
        }
        if let forest = model.forest {
            if let problem = forest.structuralProblem { throw .corrupt(path: p, reason: "its isolation forest is inconsistent: \(problem)") }
            if forest.featureCount != FeatureExtractor.names.count {
                throw .corrupt(path: p, reason: "its isolation forest scores \(forest.featureCount) features, this build computes \(FeatureExtractor.names.count)")
            }
        }
        return model
    }

    /// Writes `model.json` into a folder (created if missing) atomically.
    public func save(to directory: String) throws(ModelError) {
        let p = TriplineModel.path(in: directory)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let enc = JSONEncoder()
            enc.outputFormatting = [.sortedKeys]
            let data = try enc.encode(self)
            try data.write(to: URL(fileURLWithPath: p), options: .atomic)
        } catch {
            throw .unwritable(path: p, reason: error.localizedDescription)
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

    enum CodingKeys: String, CodingKey {
        case files, events, skippedLines = "skipped_lines", from, to, baselineDays = "baseline_days", seconds
        case scoredEvents = "scored_events"
    }
}

/// Why a model could not be used, and what to do about it.
public enum ModelError: Error, Sendable, CustomStringConvertible {
    case missing(path: String)
    case unreadable(path: String, reason: String)
    case corrupt(path: String, reason: String)
    case wrongVersion(path: String, found: Int, expected: Int)
    case unwritable(path: String, reason: String)

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
