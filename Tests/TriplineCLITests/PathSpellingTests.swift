import Foundation
import Testing
import TriplineCore

/// Every way a user names a path works, for every command that reads logs: `.`, `..`, `./x`,
/// `x/`, `//x`, `a/../b`, a relative path through a link, a name with spaces. (The parent of
/// `"."` once trapped in Foundation, killing analyze, parse, train and batch.)
@Suite struct PathSpellingTests {
    /// A folder `logs/` with `auth log.txt` (a brute force), a link `via` to it, and `models/`.
    static func layout() throws -> URL {
        let dir = try CLIRunner.tempDir()
        let logs = dir.appendingPathComponent("logs")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        var text = ""
        for i in 0..<30 {
            let t = Timestamp(microseconds: 1_768_039_200_000_000 + Int64(i) * 2_000_000)
            text += "\(t.iso8601) web sshd[\(100 + i)]: Failed password for root from 198.51.100.9 port \(4000 + i) ssh2\n"
        }
        try text.write(to: logs.appendingPathComponent("auth log.txt"), atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("via").path, withDestinationPath: "logs")
        let t = try CLIRunner.run(["train", TrainAnalyzeCommandTests.testLogs, "--baseline-days", "1", "--model-dir", dir.appendingPathComponent("models").path])
        #expect(t.status == 0, "\(t.stderr)")
        return dir
    }

    static func bruteForces(_ r: CLIRunner.Result) throws -> Int {
        guard case .array(let list)? = try JSONParser.parse(r.stdout)["anomalies"] else { return -1 }
        return list.filter { $0["kind"]?.scalarText == "brute_force" }.count
    }

    @Test func analyzeTakesEverySpelling() throws {
        let dir = try Self.layout()
        let logs = dir.appendingPathComponent("logs")
        let spellings: [(cwd: URL, path: String)] = [
            (logs, "."), (logs, "./auth log.txt"), (logs, "auth log.txt"), (logs, "../logs/"),
            (dir, "logs/"), (dir, "logs"), (dir, "./logs/./auth log.txt"), (dir, "via/auth log.txt"), (dir, "via/"),
            (dir, "//" + logs.path + "/auth log.txt"), (logs.appendingPathComponent(".."), "logs/../logs"),
        ]
        for s in spellings {
            let r = try CLIRunner.run(["analyze", s.path, "--model-dir", dir.appendingPathComponent("models").path, "--output", "json"], cwd: s.cwd)
            #expect(r.status == 0, "\(s.path) in \(s.cwd.path): \(r.stderr)")
            let found = try Self.bruteForces(r)
            #expect(found == 1, "\(s.path) in \(s.cwd.path): \(r.stdout.prefix(300))")
        }
        // `..` from inside a folder of the logs' folder.
        let sub = logs.appendingPathComponent("sub")
        try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
        let up = try CLIRunner.run(["analyze", "..", "--model-dir", dir.appendingPathComponent("models").path, "--output", "json"], cwd: sub)
        let upFound = try Self.bruteForces(up)
        #expect(up.status == 0 && upFound == 1, "\(up.stderr)")
    }

    /// The same file named twice, through a link, or as a folder and a file in it is read
    /// once: its lines are not counted twice (its brute force was twice as long).
    @Test func theSameFileIsReadOnce() throws {
        let dir = try Self.layout()
        let models = dir.appendingPathComponent("models").path
        let once = try CLIRunner.run(["analyze", "logs/auth log.txt", "--model-dir", models, "--output", "json"], cwd: dir)
        let events = try JSONParser.parse(once.stdout)["events_analyzed"]?.numberValue
        #expect(events == 30)
        for names in [["logs/auth log.txt", "logs/auth log.txt"], ["logs/auth log.txt", "via/auth log.txt"], ["logs", "logs/auth log.txt"], ["logs/", "via"]] {
            let r = try CLIRunner.run(["analyze"] + names + ["--model-dir", models, "--output", "json"], cwd: dir)
            #expect(r.status == 0, "\(names): \(r.stderr)")
            #expect(try JSONParser.parse(r.stdout)["events_analyzed"]?.numberValue == events, "\(names)")
            #expect(r.stderr.contains("read once"), "\(names): \(r.stderr)")
        }
        let parsed = try CLIRunner.run(["parse", "logs/auth log.txt", "via/auth log.txt"], cwd: dir)
        #expect(parsed.stdout.split(separator: "\n").count == 30)
    }

    @Test func parseTrainAndBatchTakeTheWorkingFolder() throws {
        let dir = try Self.layout()
        let logs = dir.appendingPathComponent("logs")
        let p = try CLIRunner.run(["parse", "./auth log.txt"], cwd: logs)
        #expect(p.status == 0 && p.stdout.split(separator: "\n").count == 30, "\(p.stderr)")
        let t = try CLIRunner.run(["train", ".", "--model-dir", dir.appendingPathComponent("trained").path], cwd: logs)
        #expect(t.status == 0, "\(t.stderr)")
        let out = dir.appendingPathComponent("reports").path
        let b = try CLIRunner.run(["batch", "--log-dir", ".", "--output-dir", out, "--once", "--model-dir", dir.appendingPathComponent("models").path], cwd: logs)
        #expect(b.status == 0, "\(b.stderr)")
        let report = try String(contentsOfFile: out + "/latest/anomalies.json", encoding: .utf8)
        #expect(report.contains("brute_force"), "\(report.prefix(300))")
    }
}
