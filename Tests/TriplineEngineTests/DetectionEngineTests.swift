import Foundation
import Testing
import TriplineCore
@testable import TriplineEngine
import TriplineTestSupport

/// The dashboard's engine in-process: what it says about the model, and that its counts are
/// counts of everything it saw.
@Suite struct DetectionEngineTests {
    static func folder() throws -> URL {
        let dir = TestFolders.url("tripline-engine")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Six failed passwords a minute apart from each of `sources` addresses, one address after another.
    static func bruteForces(_ sources: Int) -> String {
        var text = ""
        for s in 0..<sources {
            for k in 0..<6 {
                let t = Timestamp(microseconds: 1_768_039_200_000_000 + Int64(s * 600 + k * 5) * 1_000_000)
                text += "\(t.iso8601) web sshd[\(1000 + s * 6 + k)]: Failed password for root from 198.51.\(s / 250).\(1 + s % 250) port 22 ssh2\n"
            }
        }
        return text
    }

    static func engine(log: String, modelDirectory: URL) throws -> DetectionEngine {
        let file = modelDirectory.appendingPathComponent("auth.log")
        try log.write(to: file, atomically: true, encoding: .utf8)
        var o = DetectionEngine.Options(paths: [file.path], modelDirectory: modelDirectory.path)
        o.fromStart = true
        return DetectionEngine(options: o)
    }

    @Test func aDamagedModelIsNamedNotTakenForNone() async throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data("{\"version\": 3, \"forest\": [".utf8).write(to: dir.appendingPathComponent("model.json"))
        let engine = try Self.engine(log: Self.bruteForces(2), modelDirectory: dir)
        await engine.tick()
        let s = engine.snapshots.get()
        #expect(s.model == nil)
        let problem = try #require(s.modelProblem)
        #expect(problem.damaged)
        #expect(problem.text.contains("model.json"), "names the file: \(problem.text)")
        #expect(problem.text.contains("tripline train"), "says what to do: \(problem.text)")
        #expect(s.stats.anomalies == 2, "the rules still run")
    }

    @Test func noModelYetIsNotDamage() async throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let engine = try Self.engine(log: Self.bruteForces(1), modelDirectory: dir)
        await engine.tick()
        let s = engine.snapshots.get()
        #expect(s.model == nil)
        #expect(s.modelProblem?.damaged == false)
    }

    /// More attacks than the feed keeps: the header's totals count them all, the feed keeps the newest.
    /// A replay from a time reads what comes before it at once (the quick start's quiet first
    /// day), then plays the rest with its own timing: at a speed that would take hours to
    /// reach the attacks from the log's start, the first tick already has the history read and
    /// nothing after the time.
    @Test func aReplayStartsWhereItIsAskedTo() async throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("auth.log")
        // Ten brute forces ten minutes apart (100 min of log).
        try Self.bruteForces(10).write(to: file, atomically: true, encoding: .utf8)
        var o = DetectionEngine.Options(paths: [file.path], modelDirectory: dir.path)
        o.replaySpeed = 1
        o.replayFrom = Timestamp(microseconds: 1_768_039_200_000_000 + Int64(5 * 600 - 60) * 1_000_000)
        let engine = DetectionEngine(options: o)
        await engine.tick()
        let s = engine.snapshots.get()
        #expect(s.stats.events == 30, "the five attacks before the time are read at once, none after: \(s.stats.events) events")
    }

    @Test func totalsCountEverythingTheFeedKeepsTheNewest() async throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("auth.log")
        try Self.bruteForces(120).write(to: file, atomically: true, encoding: .utf8)
        var o = DetectionEngine.Options(paths: [file.path], modelDirectory: dir.path)
        o.fromStart = true
        o.maxAnomalies = 50
        let engine = DetectionEngine(options: o)
        await engine.tick()
        let s = engine.snapshots.get()
        #expect(s.stats.anomalies == 120)
        #expect(s.anomalies.count == 50)
        #expect(s.stats.feedKept == 50)
        #expect(s.anomalies.first?.sourceIP == "198.51.0.120", "newest first")
    }
}
