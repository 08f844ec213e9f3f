import Foundation
import Testing
@testable import TriplineCore

/// Model files are input too (a shared folder, a copied model): every way one could hang the
/// loader or crash detection is refused at load with a message that says what to do.
@Suite struct HostileModelTests {
    static func trained() throws -> TriplineModel {
        let f = try IsolationForestTests.fixture()
        var events: [LogEvent] = []
        for i in 0..<200 {
            let t = Timestamp(microseconds: 1_768_039_200_000_000 + Int64(i) * 60_000_000)
            events.append(LogEvent(timestamp: t, host: "web", program: "sshd", pid: i, user: "alice", sourceIP: "10.0.0.1", eventType: .login,
                                   outcome: .success, action: "accepted", authMethod: "publickey", message: "Accepted", file: "a", line: i + 1))
        }
        var m = Trainer().train(events: events, label: "test")
        m.forest = IsolationForest(data: f.train.map { Array($0.prefix(1)) + Array(repeating: 0, count: FeatureExtractor.names.count - 1) },
                                   nEstimators: 3, seed: 1)
        return m
    }

    static func loadError(_ m: TriplineModel) throws -> String? {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-model-\(UUID().uuidString)").path
        try m.save(to: dir)
        do {
            _ = try TriplineModel.load(from: dir)
            return nil
        } catch {
            return error.description
        }
    }

    /// A "tree" whose levels share their children: 2 nodes a level, 60 levels, 2^60 paths. A
    /// check that walks every path never ends; a tree has one parent per node.
    @Test(.timeLimit(.minutes(1))) func sharedChildrenAreRefusedInLinearTime() throws {
        var m = try Self.trained()
        var t = IsolationForest.Tree()
        let levels = 60
        for level in 0..<levels {
            for side in 0..<2 {
                _ = side
                let last = level == levels - 1
                t.feature.append(0)
                t.threshold.append(0.5)
                t.left.append(last ? -1 : Int32(1 + 2 * (level + 1)))
                t.right.append(last ? -1 : Int32(2 + 2 * (level + 1)))
                t.size.append(1)
            }
        }
        // A root over the first level.
        t.feature.insert(0, at: 0); t.threshold.insert(0.5, at: 0); t.left.insert(1, at: 0); t.right.insert(2, at: 0); t.size.insert(1, at: 0)
        m.forest?.trees[0] = t
        let why = try Self.loadError(m)
        #expect(why?.contains("not a tree") == true, "\(why ?? "loaded")")
        #expect(why?.contains("tripline train") == true, "the message says what to do")
    }

    /// The model holds every user's habits: it is written for its owner only.
    @Test func modelsAreWrittenForTheOwnerOnly() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("model-mode-\(UUID().uuidString)").path
        try Self.trained().save(to: dir)
        let mode = try FileManager.default.attributesOfItem(atPath: TriplineModel.path(in: dir))[.posixPermissions] as? Int
        #expect(mode == 0o600, "model.json is \(String(mode ?? 0, radix: 8))")
        let left = try FileManager.default.contentsOfDirectory(atPath: dir)
        #expect(left == ["model.json"], "no temporary file is left: \(left)")
    }

    /// Found by fuzzing the loader: an empty model.json (Foundation's file reading leaked on it).
    @Test func emptyAndHugeModelFilesAreRefused() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("empty-model-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: TriplineModel.path(in: dir), contents: Data())
        #expect(throws: ModelError.self) { try TriplineModel.load(from: dir) }
        #expect((try? TriplineModel.load(from: dir)) == nil)
        do { _ = try TriplineModel.load(from: dir) } catch { #expect(error.description.contains("damaged")) }
    }

    @Test func baselinesThatWouldCrashDetectionAreRefused() throws {
        var short = try Self.trained()
        short.users["alice"]?.hours = [1, 2, 3]
        #expect(try Self.loadError(short)?.contains("24") == true)
        var huge = try Self.trained()
        huge.users["alice"]?.hours[3] = Int.max
        #expect(try Self.loadError(huge) != nil, "counts that overflow when summed")
        var negative = try Self.trained()
        negative.users["alice"]?.methods["publickey"] = -5
        #expect(try Self.loadError(negative) != nil)
        var zeroWindow = try Self.trained()
        zeroWindow.config.bruteForceWindow = 0
        #expect(try Self.loadError(zeroWindow)?.contains("brute_force_window") == true, "a zero window would divide by zero")
        var contaminated = try Self.trained()
        contaminated.config.contamination = 0.9
        #expect(try Self.loadError(contaminated)?.contains("contamination") == true)
        #expect(try Self.loadError(try Self.trained()) == nil, "the model as trained loads")
    }

    /// The model file is read without JSONDecoder; what it reads is what JSONDecoder reads from
    /// the same file (compared as re-encoded), and a file JSONDecoder rejects is rejected with
    /// the field named.
    @Test func modelReaderReadsWhatJSONDecoderReads() throws {
        var m = try Self.trained()
        m.users["bob"] = UserBaseline(events: 3, hours: Array(repeating: 1, count: 24), weekendEvents: 1, sources: ["::1": 2],
                                      networks: ["a.example": 1], hosts: ["db": 3], methods: ["password": 1], eventTypes: ["sudo": 2],
                                      sudoCount: 2, failures: 1, hourlyVolume: ["sudo": HourlyVolume(p95: 1.5, max: 2)], activeDays: 1,
                                      isServiceAccount: true)
        m.training.excluded = TrainingInfo.Excluded(events: 4, incidents: 1, byKind: ["brute_force": 1])
        m.config.baselineDays = 2.5
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("model-reader-\(UUID().uuidString)").path
        try m.save(to: dir)
        let data = try Data(contentsOf: URL(fileURLWithPath: TriplineModel.path(in: dir)))
        let viaDecoder = try JSONDecoder().decode(TriplineModel.self, from: data)
        let viaReader = try TriplineModel.load(from: dir)
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        #expect(try enc.encode(viaReader) == enc.encode(viaDecoder))
        #expect(viaReader.forest?.trees.count == m.forest?.trees.count && viaReader.users["bob"] == m.users["bob"])

        // Damaged fields: each one named.
        let doc = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        func damaged(_ edit: (inout [String: Any]) -> Void) throws -> String {
            var d = doc
            edit(&d)
            try JSONSerialization.data(withJSONObject: d).write(to: URL(fileURLWithPath: TriplineModel.path(in: dir)))
            do { _ = try TriplineModel.load(from: dir); return "" } catch { return error.description }
        }
        #expect(try damaged { $0["users"] = ["eve": ["events": "many"]] }.contains("users.eve"))
        #expect(try damaged { $0["hosts"] = 3 }.contains("hosts is not an object"))
        #expect(try damaged { d in
            var f = d["forest"] as! [String: Any]
            var t = (f["trees"] as! [[String: Any]])[0]
            t["left"] = [1.5]
            f["trees"] = [t]
            d["forest"] = f
        }.contains("forest.trees[0].left[0]"))
        #expect(try damaged { $0.removeValue(forKey: "created_at") }.contains("created_at"))
        #expect(try damaged { $0["config"] = ["brute_force_window": "soon"] }.contains("config"))
    }
}
