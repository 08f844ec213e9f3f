import Foundation
import Testing
import TriplineCore

/// `tripline analyze` of a log with many incidents: memory must not grow with their number
/// (each is written out as it closes and read back for the report), and the report must be the
/// same in every output.
@Suite struct AnalyzeMemoryTests {
    /// `sources` addresses, one after another two minutes apart, each failing ten passwords in
    /// a minute: one brute force each.
    static func attackLog(sources: Int) -> String {
        var out = ""
        out.reserveCapacity(sources * 10 * 110)
        let start = 1_767_225_600 // 2026-01-01T00:00:00Z
        for i in 0..<sources {
            let ip = "203.\(i / 65_536 % 256).\(i / 256 % 256).\(i % 256)"
            for k in 0..<10 {
                out += "\(Self.iso(start + i * 120 + k * 5)) web1 sshd[\(1000 + i % 30000)]: Failed password for root from \(ip) port \(40000 + k) ssh2\n"
            }
        }
        return out
    }

    static func iso(_ seconds: Int) -> String { Timestamp(microseconds: Int64(seconds) * 1_000_000).iso8601 }

    static func benignLog() -> String {
        var out = ""
        let start = 1_767_225_600 - 3 * 86_400
        for i in 0..<300 {
            let user = ["alice", "bob", "carol"][i % 3]
            out += "\(Self.iso(start + i * 800)) web1 sshd[\(500 + i)]: Accepted publickey for \(user) from 10.0.0.\(i % 3 + 5) port 5000 ssh2\n"
        }
        return out
    }

    /// A CSV of 20,000 columns, 12 MB: each record was an event of a megabyte (its fields kept
    /// as they were). An analysis keeps what detection reads; what waits between the reading
    /// and the detecting threads, and in the reorder window, is bounded in bytes too: two
    /// threads peak near one (batches of 2,048 such events once held a gigabyte).
    @Test func wideRecordsWaitBetweenThreadsInBoundedMemory() throws {
        let dir = try CLIRunner.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let columns = 20_000, rows = 300
        var text = "timestamp,user,source_ip,event_type,action," + (0..<columns).map { "c\($0)" }.joined(separator: ",") + "\n"
        let cells = String(repeating: ",v", count: columns)
        for i in 0..<rows { text += "\(Self.iso(1_767_225_600 + i)),u\(i % 7),10.0.0.\(i % 50),login,failed" + cells + "\n" }
        let csv = dir.appendingPathComponent("wide.csv")
        try text.write(to: csv, atomically: true, encoding: .utf8)
        let benign = dir.appendingPathComponent("benign.log")
        try Self.benignLog().write(to: benign, atomically: true, encoding: .utf8)
        let models = dir.appendingPathComponent("models").path
        #expect(try CLIRunner.run(["train", benign.path, "--baseline-days", "1", "--model-dir", models]).status == 0)
        var peaks: [Int] = []
        for threads in ["1", "2"] {
            let r = try ChildProcess.run(CLIRunner.binary.path, ["analyze", csv.path, "--model-dir", models, "--output", "json", "--threads", threads],
                                         environment: ["TZ": "UTC", "PATH": "/usr/bin:/bin"], timeout: 600)
            #expect(r.status == 0, "\(String(decoding: r.stderr, as: UTF8.self))")
            #expect(try JSONParser.parse(String(decoding: r.stdout, as: UTF8.self))["events_analyzed"]?.numberValue == Double(rows))
            peaks.append(r.peakKB)
        }
        print("wide CSV: peak \(peaks[0] / 1024) MB with one thread, \(peaks[1] / 1024) MB with two")
        #expect(peaks[1] < peaks[0] + 96 * 1024, "two threads \(peaks[1] / 1024) MB against one \(peaks[0] / 1024) MB")
        // And neither holds the records by the hundred (the reorder window held every one of
        // them, 417 MB, when an analysis kept the fields it does not read).
        #expect(peaks.allSatisfy { $0 < 128 * 1024 }, "\(peaks.map { $0 / 1024 }) MB")
    }

    @Test func memoryDoesNotGrowWithTheNumberOfIncidents() throws {
        let dir = try CLIRunner.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let benign = dir.appendingPathComponent("benign.log")
        try Self.benignLog().write(to: benign, atomically: true, encoding: .utf8)
        let models = dir.appendingPathComponent("models").path
        let t = try CLIRunner.run(["train", benign.path, "--baseline-days", "1", "--model-dir", models])
        #expect(t.status == 0, "\(t.stderr)")
        let n = 1_500
        var peaks: [Int] = []
        for count in [n, 8 * n] {
            let log = dir.appendingPathComponent("attack-\(count).log")
            try Self.attackLog(sources: count).write(to: log, atomically: true, encoding: .utf8)
            let r = try ChildProcess.run(CLIRunner.binary.path, ["analyze", log.path, "--model-dir", models, "--output", "json", "--threads", "1"],
                                         environment: ["TZ": "UTC", "PATH": "/usr/bin:/bin"], timeout: 300)
            #expect(r.status == 0, "\(String(decoding: r.stderr, as: UTF8.self))")
            let doc = try JSONParser.parse(String(decoding: r.stdout, as: UTF8.self))
            guard case .array(let list)? = doc["anomalies"] else { Issue.record("no anomalies"); return }
            #expect(list.count == count, "one brute force per address")
            #expect(doc["anomalies_detected"]?.numberValue == Double(count))
            #expect(list.allSatisfy { $0["kind"]?.scalarText == "brute_force" })
            // Oldest first.
            let starts = list.compactMap { $0["timestamp"]?.scalarText }
            #expect(starts == starts.sorted())
            peaks.append(r.peakKB)
        }
        // 10,500 more incidents: as `Anomaly` values kept to the end they cost about 3 KB each
        // (31 MB more in a release build); written out, a few dozen bytes each.
        let growthMB = Double(peaks[1] - peaks[0]) / 1024
        #expect(growthMB < 12, "peak RSS \(peaks[0] / 1024) MB for \(n) incidents, \(peaks[1] / 1024) MB for \(8 * n)")
    }

    @Test func everyOutputListsTheSameAnomalies() throws {
        let dir = try CLIRunner.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let benign = dir.appendingPathComponent("benign.log")
        try Self.benignLog().write(to: benign, atomically: true, encoding: .utf8)
        let models = dir.appendingPathComponent("models").path
        #expect(try CLIRunner.run(["train", benign.path, "--baseline-days", "1", "--model-dir", models]).status == 0)
        let log = dir.appendingPathComponent("attack.log")
        try Self.attackLog(sources: 40).write(to: log, atomically: true, encoding: .utf8)
        let json = try CLIRunner.run(["analyze", log.path, "--model-dir", models, "--output", "json"])
        let nd = try CLIRunner.run(["analyze", log.path, "--model-dir", models, "--output", "ndjson"])
        let table = try CLIRunner.run(["analyze", log.path, "--model-dir", models, "--output", "table"])
        guard case .array(let list)? = try JSONParser.parse(json.stdout)["anomalies"] else { Issue.record("no anomalies"); return }
        let lines = try nd.stdout.split(separator: "\n").map { try JSONParser.parse(String($0)) }
        #expect(list.count == 40 && lines == list)
        #expect(table.stdout.hasPrefix("400 events analysed, 40 anomalies"), "\(table.stdout.prefix(200))")
        #expect(table.stdout.split(separator: "\n").filter { $0.contains("brute_force") }.count == 40)
        // A spool that cannot be on disk (no such temporary folder) gives the same document.
        var env = ProcessInfo.processInfo.environment
        env["TMPDIR"] = dir.appendingPathComponent("no-such-folder").path
        let inMemory = try CLIRunner.run(["analyze", log.path, "--model-dir", models, "--output", "json"], environment: env)
        #expect(inMemory.status == 0 && inMemory.stdout == json.stdout)
    }
}
