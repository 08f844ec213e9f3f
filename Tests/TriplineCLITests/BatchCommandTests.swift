import Foundation
import Testing
import TriplineCore
import TriplineTestSupport

/// `tripline batch` as cron or a service would run it: only new lines each run, rotation,
/// partial lines, crash recovery, kill -9, SIGTERM, and report sets.
@Suite struct BatchCommandTests {
    static let sample = CLIRunner.projectRoot.appendingPathComponent("test_logs/auth.log")
    static let sampleLines: [Substring] = {
        (try? String(contentsOf: sample, encoding: .utf8))?.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { $0 } ?? []
    }()

    struct Setup { let dir: URL; let logs: URL; let out: URL; let models: String }

    static func setup(train: Bool = true) throws -> Setup {
        let dir = try CLIRunner.tempDir()
        let logs = dir.appendingPathComponent("logs"), out = dir.appendingPathComponent("reports")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        let models = dir.appendingPathComponent("models").path
        if train {
            #expect(try CLIRunner.run(["train", "--data-path", sample.path, "--baseline-days", "1", "--model-dir", models]).status == 0)
        }
        return Setup(dir: dir, logs: logs, out: out, models: models)
    }

    static func write(_ lines: ArraySlice<Substring>, to url: URL, append: Bool = true, newline: Bool = true) throws {
        let text = lines.joined(separator: "\n") + (newline && !lines.isEmpty ? "\n" : "")
        if append, let h = try? FileHandle(forWritingTo: url) {
            try h.seekToEnd(); try h.write(contentsOf: Data(text.utf8)); try h.close()
        } else {
            try text.write(to: url, atomically: false, encoding: .utf8)
        }
    }

    static func batch(_ s: Setup, _ extra: [String] = []) throws -> CLIRunner.Result {
        try CLIRunner.run(["batch", "--log-dir", s.logs.path, "--output-dir", s.out.path, "--once", "--model-dir", s.models] + extra)
    }

    static func latest(_ s: Setup) throws -> JSONValue {
        try JSONParser.parse(String(contentsOf: s.out.appendingPathComponent("latest/anomalies.json"), encoding: .utf8))
    }

    /// (first line, last line, restarted) of each file a run read.
    static func files(_ doc: JSONValue) -> [(first: Int, last: Int, restarted: String?)] {
        guard case .array(let list)? = doc["files"] else { return [] }
        return list.map { (Int($0["first_line"]?.numberValue ?? -1), Int($0["last_line"]?.numberValue ?? -1), $0["restarted"]?.scalarText) }
    }

    /// Events analysed over every committed run.
    static func totalEvents(_ s: Setup) throws -> Int {
        let runs = try FileManager.default.contentsOfDirectory(atPath: s.out.appendingPathComponent("runs").path).filter { !$0.hasSuffix(".partial") }
        return try runs.reduce(0) { sum, r in
            let doc = try JSONParser.parse(String(contentsOf: s.out.appendingPathComponent("runs/\(r)/anomalies.json"), encoding: .utf8))
            return sum + Int(doc["events_analyzed"]?.numberValue ?? 0)
        }
    }

    @Test func eachRunReadsOnlyWhatIsNewAndWritesAReportSet() throws {
        let s = try Self.setup()
        let log = s.logs.appendingPathComponent("auth.log")
        let half = Self.sampleLines.count / 2
        try Self.write(Self.sampleLines[..<half], to: log, append: false)
        let r1 = try Self.batch(s)
        #expect(r1.status == 0, "\(r1.stderr)")
        let d1 = try Self.latest(s)
        #expect(Self.files(d1).map(\.first) == [1] && Self.files(d1).map(\.last) == [half])
        let latestTarget = try FileManager.default.destinationOfSymbolicLink(atPath: s.out.appendingPathComponent("latest").path)
        #expect(latestTarget.hasPrefix("runs/"))
        for f in ["anomalies.json", "anomalies.csv", "summary.txt", "state.json"] {
            #expect(FileManager.default.fileExists(atPath: s.out.appendingPathComponent("latest/\(f)").path), "\(f)")
        }
        let summary = try String(contentsOf: s.out.appendingPathComponent("latest/summary.txt"), encoding: .utf8)
        #expect(summary.contains("anomalies:") && summary.contains("lines 1–\(half)"), "\(summary)")
        let csv = try String(contentsOf: s.out.appendingPathComponent("latest/anomalies.csv"), encoding: .utf8)
        #expect(csv.hasPrefix("id,timestamp,") && csv.split(separator: "\r\n").count == Int(d1["anomalies_detected"]?.numberValue ?? -1) + 1)

        // The rest is appended, the last line unfinished: only complete new lines are read.
        try Self.write(Self.sampleLines[half...].dropLast(), to: log)
        try Self.write(Self.sampleLines.suffix(1), to: log, newline: false)
        #expect(try Self.batch(s).status == 0)
        let d2 = try Self.latest(s)
        #expect(d2["lines_read"]?.numberValue == Double(Self.sampleLines.count - half - 1))
        #expect(Self.files(d2).map(\.first) == [half + 1], "the second run starts at line \(half + 1)")
        // Its newline arrives: the last line, and nothing else.
        let h = try FileHandle(forWritingTo: log)
        try h.seekToEnd(); try h.write(contentsOf: Data("\n".utf8)); try h.close()
        #expect(try Self.batch(s).status == 0)
        #expect(try Self.latest(s)["lines_read"]?.numberValue == 1)
        #expect(try Self.batch(s).status == 0)
        #expect(try Self.latest(s)["lines_read"]?.numberValue == 0)
        // Over all runs, every line once: the same events as one analyze of the whole file.
        let whole = try CLIRunner.run(["analyze", Self.sample.path, "--model-dir", s.models, "--output", "json"])
        #expect(try Self.totalEvents(s) == Int(JSONParser.parse(whole.stdout)["events_analyzed"]?.numberValue ?? -1))
    }

    @Test func rotationIsFollowedByIdentityNotName() throws {
        let s = try Self.setup()
        let log = s.logs.appendingPathComponent("auth.log")
        try Self.write(Self.sampleLines[..<1000], to: log, append: false)
        #expect(try Self.batch(s).status == 0)
        // Lines land in the old file, then it is rotated and a new one started.
        try Self.write(Self.sampleLines[1000..<1100], to: log)
        try FileManager.default.moveItem(at: log, to: s.logs.appendingPathComponent("auth.log.1"))
        try Self.write(Self.sampleLines[1100..<1300], to: log, append: false)
        #expect(try Self.batch(s).status == 0)
        let d = try Self.latest(s)
        #expect(d["lines_read"]?.numberValue == 300, "100 from the rotated file, 200 from the new one")
        // copytruncate: the file is emptied in place and starts again.
        try Self.write(Self.sampleLines[1300..<1310], to: log, append: false)
        #expect(try Self.batch(s).status == 0)
        let t = try Self.latest(s)
        #expect(t["lines_read"]?.numberValue == 10)
        #expect(Self.files(t).map(\.restarted) == ["truncated"] && Self.files(t).map(\.first) == [1])
    }

    /// gzip `file` in place as logrotate's compress step does (a new file, the old one removed).
    static func gzip(_ file: URL) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "gzip -n '\(file.path)'"]
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
    }

    /// Debian's logrotate: auth.log → auth.log.1, and without delaycompress straight into
    /// auth.log.1.gz. A compressed file is read once, and only the part no run read before it
    /// was compressed; history found compressed on the first run is read whole.
    @Test func compressedRotationsAreReadOnceAndOnlyWhatIsNew() throws {
        let s = try Self.setup()
        let log = s.logs.appendingPathComponent("auth.log")
        try Self.write(Self.sampleLines[..<500], to: log.appendingPathExtension("9"), append: false)
        try Self.gzip(log.appendingPathExtension("9"))
        try Self.write(Self.sampleLines[500..<1000], to: log, append: false)
        #expect(try Self.batch(s).status == 0)
        let d1 = try Self.latest(s)
        #expect(d1["lines_read"]?.numberValue == 1000, "the compressed history and the live file")
        // Lines land in the live file, then it is rotated and compressed: only those are new.
        try Self.write(Self.sampleLines[1000..<1100], to: log)
        let rotated = s.logs.appendingPathComponent("auth.log.1")
        try FileManager.default.moveItem(at: log, to: rotated)
        try Self.gzip(rotated)
        try Self.write(Self.sampleLines[1100..<1300], to: log, append: false)
        let r2 = try Self.batch(s)
        #expect(r2.status == 0, "\(r2.stderr)")
        let d2 = try Self.latest(s)
        #expect(d2["lines_read"]?.numberValue == 300, "100 from the compressed rotation, 200 from the new file")
        #expect(Self.files(d2).map(\.first).sorted() == [1, 501], "line numbers go on in the compressed file")
        // Nothing new: nothing read, the compressed files not even decompressed again.
        #expect(try Self.batch(s).status == 0)
        #expect(try Self.latest(s)["lines_read"]?.numberValue == 0)
    }

    /// A damaged compressed file is named, the rest read, and it is tried again next run.
    @Test func aDamagedCompressedFileIsNamedAndTriedAgain() throws {
        let s = try Self.setup()
        try Data([0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x4B]).write(to: s.logs.appendingPathComponent("auth.log.2.gz"))
        try Self.write(Self.sampleLines[..<100], to: s.logs.appendingPathComponent("auth.log"), append: false)
        let r = try Self.batch(s)
        #expect(r.status == 1, "a run with unreadable input says so")
        #expect(r.stderr.contains("auth.log.2.gz") && r.stderr.contains("gzip"), "\(r.stderr)")
        #expect(try Self.latest(s)["lines_read"]?.numberValue == 100)
        let again = try Self.batch(s)
        #expect(again.stderr.contains("auth.log.2.gz: gzip"), "not marked as read: \(again.stderr)")
    }

    /// `--log-dir /var/log/journal`: each run reads the entries written since the last, across
    /// the journal's rotation (the active file archived under a new name, a new one started).
    @Test func aJournalFolderIsReadFromWhereTheLastRunStopped() throws {
        let s = try Self.setup(train: false)
        let machine = s.logs.appendingPathComponent("0123456789abcdef0123456789abcdef")
        try FileManager.default.createDirectory(at: machine, withIntermediateDirectories: true)
        let active = machine.appendingPathComponent("system.journal").path
        func entries(_ r: Range<Int>) -> [JournalFixture.Entry] {
            r.map { i in JournalFixture.Entry(time: JournalFixture.t0 + Int64(i) * 1_000_000, host: "web-01", program: "sshd", pid: 100 + i,
                                              facility: 4, message: "Invalid user u\(i) from 192.0.2.\(i % 250 + 1) port \(1000 + i)") }
        }
        guard try JournalFixture.write(entries(0..<10), at: active) else { return }
        let r1 = try Self.batch(s)
        #expect(r1.status == 0, "\(r1.stderr)")
        #expect(try Self.latest(s)["lines_read"]?.numberValue == 10)
        #expect(try JournalFixture.write(entries(10..<15), at: active))
        #expect(try Self.batch(s).status == 0)
        #expect(try Self.latest(s)["lines_read"]?.numberValue == 5)
        // Rotation: the active file archived, a new one for what comes next.
        try FileManager.default.moveItem(atPath: active, toPath: machine.appendingPathComponent(
            "system@0123456789abcdef0123456789abcdef-0000000000000001-0000000000000001.journal").path)
        #expect(try JournalFixture.write(entries(15..<18), at: active))
        #expect(try Self.batch(s).status == 0)
        #expect(try Self.latest(s)["lines_read"]?.numberValue == 3)
        #expect(try Self.batch(s).status == 0)
        #expect(try Self.latest(s)["lines_read"]?.numberValue == 0)
    }

    @Test func aRunThatDiedAfterItsReportsIsNotRepeated() throws {
        let s = try Self.setup()
        let log = s.logs.appendingPathComponent("auth.log")
        try Self.write(Self.sampleLines[..<2000], to: log, append: false)
        #expect(try Self.batch(s).status == 0)
        // As if killed after the run folder was renamed into place but before state.json:
        try FileManager.default.removeItem(at: s.out.appendingPathComponent("state.json"))
        // … and a half-written run lying around from another crash.
        try FileManager.default.createDirectory(at: s.out.appendingPathComponent("runs/2099-01-01T00-00-00Z.partial"), withIntermediateDirectories: true)
        #expect(try Self.batch(s).status == 0)
        #expect(try Self.latest(s)["lines_read"]?.numberValue == 0, "recovered from the run folder: nothing read twice")
        #expect(!FileManager.default.fileExists(atPath: s.out.appendingPathComponent("runs/2099-01-01T00-00-00Z.partial").path))
    }

    @Test func keepRunsDeletesTheOldestAndKeepsTheState() throws {
        let s = try Self.setup(train: false)
        let log = s.logs.appendingPathComponent("auth.log")
        for round in 0..<4 {
            try Self.write(Self.sampleLines[(round * 100)..<((round + 1) * 100)], to: log, append: round > 0)
            let r = try Self.batch(s, ["--keep-runs", "2"])
            #expect(r.status == 0, "\(r.stderr)")
            if round >= 2 { #expect(r.stderr.contains("(1 old run deleted)"), "\(r.stderr)") }
        }
        let runs = try FileManager.default.contentsOfDirectory(atPath: s.out.appendingPathComponent("runs").path).sorted()
        #expect(runs.count == 2)
        #expect(try Self.latest(s)["run_id"]?.scalarText == runs.last)
        // Nothing re-read: the state survived the pruning.
        #expect(try Self.batch(s, ["--keep-runs", "2"]).status == 0)
        #expect(try Self.latest(s)["lines_read"]?.numberValue == 0)
        #expect(try Self.batch(s, ["--keep-runs", "0"]).status != 0)
    }

    @Test func killNineNeitherSkipsNorRepeats() throws {
        let s = try Self.setup()
        let log = s.logs.appendingPathComponent("auth.log")
        for _ in 0..<8 { try Self.write(Self.sampleLines[...], to: log) }
        let total = Self.sampleLines.count * 8
        for delay in [50_000, 150_000, 400_000] as [UInt32] {
            let p = try ChildProcess.start(CLIRunner.binary.path, ["batch", "--log-dir", s.logs.path, "--output-dir", s.out.path, "--once", "--model-dir", s.models])
            usleep(delay)
            p.signal(SIGKILL)
            _ = try p.wait(timeout: 30)
        }
        #expect(try Self.batch(s).status == 0)
        #expect(try Self.batch(s).status == 0)
        let runs = try FileManager.default.contentsOfDirectory(atPath: s.out.appendingPathComponent("runs").path).filter { !$0.hasSuffix(".partial") }
        var lines = 0
        for r in runs {
            let doc = try JSONParser.parse(String(contentsOf: s.out.appendingPathComponent("runs/\(r)/anomalies.json"), encoding: .utf8))
            lines += Int(doc["lines_read"]?.numberValue ?? 0)
        }
        #expect(lines == total, "every line read exactly once over the committed runs")
    }

    @Test func intervalStopsCleanlyOnSIGTERMAndBadSetupsSaySo() throws {
        let s = try Self.setup(train: false)
        try Self.write(Self.sampleLines[..<500], to: s.logs.appendingPathComponent("auth.log"), append: false)
        let p = try ChildProcess.start(CLIRunner.binary.path, ["batch", "--log-dir", s.logs.path, "--output-dir", s.out.path, "--interval", "1", "--model-dir", s.models])
        let first = try p.waitForStderr(containing: "anomalies (")
        #expect(first.contains("rules only"))
        // A model trained while it runs is used from the next run on.
        #expect(try CLIRunner.run(["train", "--data-path", Self.sample.path, "--baseline-days", "1", "--model-dir", s.models]).status == 0)
        _ = try p.waitForStderr(containing: "detecting with the model trained")
        try Self.write(Self.sampleLines[500..<600], to: s.logs.appendingPathComponent("auth.log"))
        var withModel = false
        for _ in 0..<3000 where !withModel {  // up to 10 min: the event, not the machine's speed
            Thread.sleep(forTimeInterval: 0.2)
            withModel = (try? Self.latest(s))?["model"]?["trained_events"]?.numberValue != nil
        }
        #expect(withModel, "a run after the model appeared reports it")
        p.signal(SIGTERM)
        #expect(try p.wait(timeout: 300) == 0)

        let missing = try CLIRunner.run(["batch", "--log-dir", s.dir.appendingPathComponent("nope").path, "--output-dir", s.out.path, "--once"])
        #expect(missing.status == 2 && missing.stderr.contains("nope"))
        let neither = try CLIRunner.run(["batch", "--log-dir", s.logs.path, "--output-dir", s.out.path], environment: ProcessInfo.processInfo.environment.filter { $0.key != "BATCH_INTERVAL" })
        #expect(neither.status != 0 && neither.stderr.contains("--once"))
        let locked = s.logs.appendingPathComponent("secret.log")
        try "x\n".write(to: locked, atomically: true, encoding: .utf8)
        chmod(locked.path, 0)
        let r = try CLIRunner.run(["batch", "--log-dir", s.logs.path, "--output-dir", s.out.path, "--once", "--model-dir", s.models])
        if getuid() != 0 { #expect(r.status == 1 && r.stderr.contains("secret.log")) }
    }
}
