import Foundation
import Testing
@testable import TriplineCore
import TriplineTestSupport

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
        let dir = TestFolders.path("hostile-model")
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
        let dir = TestFolders.path("model-mode")
        try Self.trained().save(to: dir)
        let mode = try FileManager.default.attributesOfItem(atPath: TriplineModel.path(in: dir))[.posixPermissions] as? Int
        #expect(mode == 0o600, "model.json is \(String(mode ?? 0, radix: 8))")
        let left = try FileManager.default.contentsOfDirectory(atPath: dir)
        #expect(left == ["model.json"], "no temporary file is left: \(left)")
    }

    /// Found by fuzzing the loader: an empty model.json (Foundation's file reading leaked on it).
    @Test func emptyAndHugeModelFilesAreRefused() throws {
        let dir = TestFolders.path("empty-model")
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
        let dir = TestFolders.path("model-reader")
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
    /// The model file is read in one pass, straight into its types; what is wrong is told in
    /// the order it always was: not JSON anywhere in the file, then not a model, then another
    /// version, then the first field that is wrong (named).
    @Test func modelReaderRefusesInTheOrderItTells() throws {
        let m = try Self.trained()
        let dir = TestFolders.path("model-order")
        try m.save(to: dir)
        let path = TriplineModel.path(in: dir)
        let good = try String(contentsOfFile: path, encoding: .utf8)
        func load(_ text: String) throws -> String {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            do { _ = try TriplineModel.load(from: dir); return "" } catch { return error.description }
        }
        #expect(try load(good) == "")
        // Unknown members and fields are passed over, as a decoder does.
        let extra = good.replacingOccurrences(of: "\"users\":{", with: "\"zzz\":[1,{\"a\":[true,null]}],\"users\":{")
            .replacingOccurrences(of: "\"activeDays\":", with: "\"later\":{\"x\":\"\\u00e9\"},\"activeDays\":")
        #expect(extra != good)
        #expect(try load(extra) == "")
        // A field of the wrong type, and further on a syntax error: the file is not JSON.
        let typed = good.replacingOccurrences(of: "\"activeDays\":", with: "\"activeDays\":\"x\",\"y\":")
        #expect(try load(typed).contains("users.alice.activeDays"))
        #expect(try load(typed + "}").contains("not valid JSON"), "text after the document")
        #expect(try load(String(typed.dropLast(3))).contains("not valid JSON"), "a truncated file")
        // Not a model, or another version, before any field.
        #expect(try load("[1, 2]").contains("not a Tripline model"))
        #expect(try load(typed.replacingOccurrences(of: "\"format\":\"tripline-model\"", with: "\"format\":\"other\"")).contains("not a Tripline model"))
        #expect(try load(typed.replacingOccurrences(of: "\"version\":1", with: "\"version\":7")).contains("version 7"))
        // A field missing, named with its place.
        let missing = good.replacingOccurrences(of: "\"weekendEvents\":", with: "\"weekend\":")
        #expect(try load(missing).contains("users.alice: no \"weekendEvents\""))
        #expect(try load(good.replacingOccurrences(of: "\"hosts\":{", with: "\"hostz\":{")).contains("no \"hosts\""))
        // A member of the document given twice: the later one counts, as in a parsed object.
        // (The top-level "users" is the one after "tripline_version": keys are written sorted.)
        func top(_ replacement: String) -> String {
            good.replacingOccurrences(of: #"("tripline_version":"[^"]*",)"users":\{"#, with: "$1" + replacement, options: .regularExpression)
        }
        #expect(top("\"users\":5,\"users\":{") != good)
        #expect(try load(top("\"users\":5,\"users\":{")) == "")
        #expect(try load(top("\"users\":{},\"users\":{\"eve\":3},\"u\":{")).contains("users.eve is not an object"))
    }
}
