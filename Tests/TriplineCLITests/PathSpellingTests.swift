import Foundation
import Testing
import TriplineCore
#if canImport(Glibc)
import Glibc
#endif

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

    /// File and folder names that are not UTF-8 are read by their bytes: a brute force in
    /// `remote/h\xffx/auth.log` is found whether the folder is read or the file named, and
    /// the name is shown escaped (it was passed over without a word, exit 0).
    @Test func namesThatAreNotUTF8AreReadByTheirBytes() throws {
        let dir = try Self.layout()
        let models = dir.appendingPathComponent("models").path
        let remote = dir.path + "/remote"
        mkdir(remote, 0o755)
        var text = ""
        for i in 0..<30 {
            let t = Timestamp(microseconds: 1_768_039_200_000_000 + Int64(i) * 2_000_000)
            text += "\(t.iso8601) sshd[\(100 + i)]: Failed password for root from 198.51.100.77 port \(4000 + i) ssh2\n"
        }
        text += "not a log line\n"
        // remote/h\xffx/auth.log and remote/web/auth.log (a per-host layout), made by their bytes.
        var folder = Array((remote + "/h").utf8) + [0xFF] + Array("x".utf8)
        folder.append(0)
        #expect(folder.withUnsafeBufferPointer { $0.withMemoryRebound(to: CChar.self) { mkdir($0.baseAddress!, 0o755) } } == 0)
        folder.removeLast()
        var file = folder + Array("/auth.log".utf8)
        file.append(0)
        let fd = file.withUnsafeBufferPointer { $0.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_WRONLY | O_CREAT | O_TRUNC, 0o644) } }
        #expect(fd >= 0)
        _ = Array(text.utf8).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        mkdir(remote + "/web", 0o755)
        try "2026-01-10T10:00:00Z sshd[1]: Accepted publickey for alice from 10.0.0.1 port 22 ssh2\n".write(toFile: remote + "/web/auth.log", atomically: true, encoding: .utf8)
        let folderRun = try CLIRunner.run(["analyze", remote, "--model-dir", models, "--output", "json"])
        #expect(folderRun.status == 0, "\(folderRun.stderr)")
        let doc = try JSONParser.parse(folderRun.stdout)
        guard case .array(let list)? = doc["anomalies"] else { Issue.record("no anomalies"); return }
        let attack = list.first { $0["source_ip"]?.scalarText == "198.51.100.77" }
        #expect(attack?["kind"]?.scalarText == "brute_force", "\(folderRun.stdout.prefix(400))")
        // People see the name with its byte escaped (the JSON keeps it, so that explain finds the file).
        #expect(folderRun.stderr.contains("h\\xffx/auth.log:31"), "\(folderRun.stderr)")
        // Named on the command line by its bytes (printf makes the \xff; the shell passes it raw).
        let named = try ChildProcess.run("/bin/sh", ["-c", #"exec "$0" analyze "$(printf '%s/h\377x/auth.log' "$1")" --model-dir "$2" --output json"#,
                                                     CLIRunner.binary.path, remote, models], environment: ["TZ": "UTC", "PATH": "/usr/bin:/bin"])
        #expect(named.status == 0, "\(String(decoding: named.stderr, as: UTF8.self))")
        #expect(String(decoding: named.stdout, as: UTF8.self).contains("198.51.100.77"))
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
