import Foundation
import Testing
import TriplineCore

@Suite struct TrainAnalyzeCommandTests {
    static var testLogs: String { CLIRunner.projectRoot.appendingPathComponent("test_logs").path }

    @Test func analyzeWithoutAModelSaysWhatToRun() throws {
        let dir = try CLIRunner.tempDir()
        let r = try CLIRunner.run(["analyze", Self.testLogs, "--model-dir", dir.appendingPathComponent("none").path])
        #expect(r.status != 0)
        #expect(r.stderr.contains("tripline train"), "\(r.stderr)")
    }

    @Test func trainThenAnalyzeGivesTheDocument() throws {
        let dir = try CLIRunner.tempDir()
        let models = dir.appendingPathComponent("models").path
        let t = try CLIRunner.run(["train", "--data-path", Self.testLogs, "--baseline-days", "1", "--model-dir", models])
        #expect(t.status == 0, "\(t.stderr)")
        #expect(t.stdout.contains("trained on") && t.stdout.contains("threshold") && t.stdout.contains("took"))
        // The same as JSON, for scripts.
        let tj = try CLIRunner.run(["train", Self.testLogs, "--baseline-days", "1", "--model-dir", dir.appendingPathComponent("json").path, "--output", "json"])
        let tdoc = try JSONParser.parse(tj.stdout)
        let events = try #require(tdoc["events"]?.numberValue)
        #expect(t.stdout.contains("trained on \(Int(events)) events") && tdoc["forest"]?["trees"]?.numberValue ?? 0 > 0, "\(tj.stdout)")
        #expect(tdoc["model"]?.scalarText?.hasSuffix("json/model.json") == true)
        let a = try CLIRunner.run(["analyze", Self.testLogs, "--model-dir", models, "--output", "json"])
        #expect(a.status == 0, "\(a.stderr)")
        let doc = try JSONParser.parse(a.stdout)
        let n = try #require(doc["events_analyzed"]?.numberValue)
        #expect(n > 5000)
        guard case .array(let anomalies)? = doc["anomalies"] else { Issue.record("no anomalies array"); return }
        #expect(doc["anomalies_detected"]?.numberValue == Double(anomalies.count))
        #expect(doc["model"]?["threshold"]?.numberValue != nil)
        let kinds = Set(anomalies.compactMap { $0["kind"]?.scalarText })
        for k in ["brute_force", "password_spraying", "user_enumeration", "success_after_failures", "privilege_escalation"] {
            #expect(kinds.contains(k), "test_logs holds a planted \(k): \(kinds.sorted())")
        }
        for a in anomalies {
            for field in ["id", "timestamp", "last_seen", "kind", "severity", "score", "techniques", "reasons", "evidence"] {
                #expect(a[field] != nil, "anomaly lacks \(field)")
            }
            #expect(a["evidence"]?["event_count"]?.numberValue ?? 0 >= 1)
        }
        // Severity filter and NDJSON.
        let high = try CLIRunner.run(["analyze", Self.testLogs, "--model-dir", models, "--output", "ndjson", "--min-severity", "high"])
        let lines = high.stdout.split(separator: "\n")
        #expect(!lines.isEmpty && lines.count < anomalies.count)
        for l in lines {
            let s = try JSONParser.parse(String(l))["severity"]?.scalarText
            #expect(s == "high" || s == "critical")
        }
        // Paths as arguments, as analyze and parse take them: the same model as --data-path.
        let positional = dir.appendingPathComponent("positional").path
        let p = try CLIRunner.run(["train", Self.testLogs, "--baseline-days", "1", "--model-dir", positional])
        #expect(p.status == 0, "\(p.stderr)")
        let pa = try CLIRunner.run(["analyze", Self.testLogs, "--model-dir", positional, "--output", "json"])
        #expect(try JSONParser.parse(pa.stdout)["anomalies_detected"] == doc["anomalies_detected"])
        // Severities in any case, as people type them.
        let upper = try CLIRunner.run(["analyze", Self.testLogs, "--model-dir", models, "--output", "ndjson", "--min-severity", "HIGH"])
        #expect(upper.status == 0 && upper.stdout == high.stdout, "\(upper.stderr)")
        // The table for people.
        let table = try CLIRunner.run(["analyze", Self.testLogs, "--model-dir", models, "--output", "table"])
        #expect(table.stdout.contains("SEVERITY") && table.stdout.contains("brute_force"))
    }

    @Test func environmentAndDamagedModels() throws {
        let dir = try CLIRunner.tempDir()
        // MODEL_DIR and CONTAMINATION from the environment, as the prototype read them.
        let trained = try CLIRunner.run(["train", "--data-path", Self.testLogs], cwd: dir,
                                        environment: ["MODEL_DIR": dir.appendingPathComponent("env-models").path, "CONTAMINATION": "0.05", "TZ": "UTC"])
        #expect(trained.status == 0)
        let model = try JSONParser.parse(String(decoding: try Data(contentsOf: dir.appendingPathComponent("env-models/model.json")), as: UTF8.self))
        #expect(model["config"]?["contamination"]?.numberValue == 0.05)
        // A damaged file and an old version get messages that say what to run.
        let bad = dir.appendingPathComponent("bad")
        try FileManager.default.createDirectory(at: bad, withIntermediateDirectories: true)
        try "{ not json".write(to: bad.appendingPathComponent("model.json"), atomically: true, encoding: .utf8)
        let r1 = try CLIRunner.run(["analyze", Self.testLogs, "--model-dir", bad.path])
        #expect(r1.status != 0 && r1.stderr.contains("damaged") && r1.stderr.contains("tripline train"))
        try #"{"format": "tripline-model", "version": 0}"#.write(to: bad.appendingPathComponent("model.json"), atomically: true, encoding: .utf8)
        let r2 = try CLIRunner.run(["analyze", Self.testLogs, "--model-dir", bad.path])
        #expect(r2.stderr.contains("version 0") && r2.stderr.contains("tripline train"), "\(r2.stderr)")
        // A forest whose trees no longer hold together (here: one node array made longer).
        let text = try String(contentsOf: dir.appendingPathComponent("env-models/model.json"), encoding: .utf8)
        let broken = text.replacingOccurrences(of: #""left":["#, with: #""left":[3,"#)
        #expect(broken != text)
        try broken.write(to: bad.appendingPathComponent("model.json"), atomically: true, encoding: .utf8)
        let r4 = try CLIRunner.run(["analyze", Self.testLogs, "--model-dir", bad.path])
        #expect(r4.status != 0 && r4.stderr.contains("isolation forest is inconsistent") && r4.stderr.contains("tripline train"), "\(r4.stderr)")
        // A config file with a typo is named.
        let cfg = dir.appendingPathComponent("t.toml")
        try "[detection]\nbrute_force_failurs = 3\n".write(to: cfg, atomically: true, encoding: .utf8)
        let r3 = try CLIRunner.run(["train", "--data-path", Self.testLogs, "--model-dir", dir.appendingPathComponent("m3").path, "--config", cfg.path])
        #expect(r3.status != 0 && r3.stderr.contains("brute_force_failurs") && r3.stderr.contains(cfg.path))
    }

    @Test func hostileNamesCannotDriveTheTerminal() throws {
        let dir = try CLIRunner.tempDir()
        let log = dir.appendingPathComponent("evil.log")
        var text = ""
        for i in 0..<12 {
            text += String(format: "Mar 30 03:00:%02d h sshd[%d]: Invalid user \u{1B}]0;pwned\u{07}\u{1B}[31mx%d from 203.0.113.66 port 5\n", i, 100 + i, i)
        }
        try text.write(to: log, atomically: true, encoding: .utf8)
        _ = try CLIRunner.run(["train", "--data-path", Self.testLogs, "--model-dir", dir.appendingPathComponent("m").path])
        let r = try CLIRunner.run(["analyze", log.path, "--model-dir", dir.appendingPathComponent("m").path, "--output", "table"])
        #expect(r.stdout.contains("203.0.113.66"))
        #expect(!r.stdout.contains("\u{1B}") && !r.stdout.contains("\u{07}"))
    }
}
