import Foundation
import Testing
import TriplineCore

/// `tripline explain ID [RESULT]`: one anomaly in full from a result file or the batch reports.
@Suite struct ExplainCommandTests {
    static var sample: String { CLIRunner.projectRoot.appendingPathComponent("test_logs/auth.log").path }

    @Test func explainsFromAResultFileAndFromBatchReports() throws {
        let dir = try CLIRunner.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let models = dir.appendingPathComponent("models").path
        #expect(try CLIRunner.run(["train", Self.sample, "--baseline-days", "1", "--model-dir", models]).status == 0)
        let analysis = try CLIRunner.run(["analyze", Self.sample, "--model-dir", models, "--output", "json"])
        let resultFile = dir.appendingPathComponent("result.json")
        try analysis.stdout.write(to: resultFile, atomically: true, encoding: .utf8)
        guard case .array(let list)? = try JSONParser.parse(analysis.stdout)["anomalies"],
              let bf = list.first(where: { $0["kind"]?.scalarText == "brute_force" }), let id = bf["id"]?.scalarText else {
            Issue.record("no brute force in the sample's analysis"); return
        }
        // A unique prefix is enough; the text has the reasons, the log lines and the baselines.
        let text = try CLIRunner.run(["explain", String(id.prefix(9)), resultFile.path, "--model-dir", models])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.hasPrefix(id) && text.stdout.contains("REASONS") && text.stdout.contains("failed logins"), "\(text.stdout)")
        #expect(text.stdout.contains("auth.log:") && text.stdout.contains("Failed password"), "the evidence lines themselves: \(text.stdout)")
        #expect(text.stdout.contains("BASELINE") && text.stdout.contains("source "), "\(text.stdout)")
        // --output json: what the MCP tool answers.
        let json = try CLIRunner.run(["explain", id, resultFile.path, "--model-dir", models, "--output", "json"])
        let doc = try JSONParser.parse(json.stdout)
        #expect(doc["anomaly"]?["id"]?.scalarText == id && doc["summary"]?.scalarText?.contains("brute_force") == true)
        guard case .array(let lines)? = doc["evidence_lines"], case .array(let baseline)? = doc["baseline"] else { Issue.record("\(json.stdout)"); return }
        #expect(!lines.isEmpty && lines.allSatisfy { $0.scalarText?.contains("(not readable here)") == false } && !baseline.isEmpty)
        // Not there, or too short to tell: exit 1 with what to do.
        let missing = try CLIRunner.run(["explain", "TL-0000000000000000", resultFile.path])
        #expect(missing.status == 2 && missing.stderr.contains("no anomaly with id"), "\(missing.stderr)")
        let ambiguous = try CLIRunner.run(["explain", "TL-", resultFile.path])
        #expect(ambiguous.status == 2 && ambiguous.stderr.contains("give more of it"), "\(ambiguous.stderr)")
        let folder = try CLIRunner.run(["explain", id, dir.path])
        #expect(folder.status == 2 && folder.stderr.contains("is a folder"), "\(folder.stderr)")

        // Without a result: the batch reports, newest run first.
        let logs = dir.appendingPathComponent("logs")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.sample, toPath: logs.appendingPathComponent("auth.log").path)
        let out = dir.appendingPathComponent("reports")
        let b = try CLIRunner.run(["batch", "--log-dir", logs.path, "--output-dir", out.path, "--once", "--model-dir", models])
        #expect(b.status == 0, "\(b.stderr)")
        let fromBatch = try CLIRunner.run(["explain", id, "--output-dir", out.path, "--model-dir", models])
        #expect(fromBatch.status == 0 && fromBatch.stdout.hasPrefix(id) && fromBatch.stdout.contains("anomalies.json"), "\(fromBatch.stderr)")
        let none = try CLIRunner.run(["explain", id, "--output-dir", dir.appendingPathComponent("empty").path])
        #expect(none.status == 2 && none.stderr.contains("no batch reports"), "\(none.stderr)")
    }

    /// A result file from elsewhere: its evidence may name a FIFO or a device (never read: it
    /// would block or never end) and carry escape sequences (shown, not obeyed).
    @Test func hostileResultsCannotHangOrDriveTheTerminal() throws {
        let dir = try CLIRunner.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fifo = dir.appendingPathComponent("pipe").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let anomaly = """
        {"id":"TL-00000000000000aa","timestamp":"2026-03-06T10:00:00Z","last_seen":"2026-03-06T10:01:00Z","user":"root\\u001b[2J","source_ip":"203.0.113.9",\
        "host":"web-01","kind":"brute_force","severity":"high","score":70,"techniques":["T1110.001"],"reasons":["evil \\u001b]0;owned\\u0007 reason"],\
        "evidence":{"event_count":3,"locations":["\(fifo):1","/dev/zero:2","/nonexistent/auth.log:3"],"truncated":false},"details":{}}
        """
        let file = dir.appendingPathComponent("hostile.ndjson")
        try anomaly.write(to: file, atomically: true, encoding: .utf8)
        let r = try ChildProcess.run(CLIRunner.binary.path, ["explain", "TL-00000000000000aa", file.path, "--model-dir", dir.appendingPathComponent("none").path],
                                     environment: ["TZ": "UTC", "HOME": dir.path], timeout: 30)
        let out = String(decoding: r.stdout, as: UTF8.self)
        #expect(r.status == 0, "\(String(decoding: r.stderr, as: UTF8.self))")
        #expect(!out.contains("\u{1B}") && !out.contains("\u{07}"), "no escape reaches the terminal: \(out.debugDescription)")
        #expect(out.components(separatedBy: "(not readable here)").count - 1 == 3, "\(out)")
        // A device as the result file is refused at once (reading /dev/zero would never end).
        for args in [["explain", "TL-00", "/dev/zero"], ["export", "/dev/zero"], ["explain", "TL-00", fifo]] {
            let d = try ChildProcess.run(CLIRunner.binary.path, args, environment: ["HOME": dir.path], timeout: 30)
            #expect(d.status == 2 && String(decoding: d.stderr, as: UTF8.self).contains("not a regular file"), "\(args)")
        }
    }

    /// The README's exit codes: 0 done, 1 done in part, 2 could not run.
    @Test func exitCodesSayHowFarItGot() throws {
        let dir = try CLIRunner.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let models = dir.appendingPathComponent("models").path
        #expect(try CLIRunner.run(["train", Self.sample, "--baseline-days", "1", "--model-dir", models]).status == 0)
        let missing = dir.appendingPathComponent("gone.log").path
        let all = try CLIRunner.run(["analyze", Self.sample, "--model-dir", models, "-o", "json"])
        #expect(all.status == 0)
        let part = try CLIRunner.run(["analyze", Self.sample, missing, "--model-dir", models, "--output", "json"])
        #expect(part.status == 1 && part.stderr.contains("gone.log"), "\(part.stderr)")
        #expect(try JSONParser.parse(part.stdout)["anomalies_detected"] == JSONParser.parse(all.stdout)["anomalies_detected"], "the rest analysed")
        let none = try CLIRunner.run(["analyze", missing, "--model-dir", models, "--output", "json"])
        #expect(none.status == 2, "\(none.stderr)")
        // The error alone, named by the command (no summary of nothing first).
        #expect(none.stderr.hasPrefix("tripline analyze: could not read \(missing): No such file or directory"), "\(none.stderr)")
        #expect(!none.stderr.contains("0 lines read"), "\(none.stderr)")
        // A log where a result is expected: say so, and how to make one.
        let log = try CLIRunner.run(["explain", "TL-0000000000000000", Self.sample])
        #expect(log.status == 2 && log.stderr.contains("is a log, not a result") && log.stderr.contains("tripline analyze"), "\(log.stderr)")
        let parsePart = try CLIRunner.run(["parse", Self.sample, missing, "--quiet"])
        #expect(parsePart.status == 1 && !parsePart.stdout.isEmpty)
        let noModel = try CLIRunner.run(["analyze", Self.sample, "--model-dir", dir.appendingPathComponent("none").path])
        #expect(noModel.status == 2)
        let usage = try CLIRunner.run(["analyze", Self.sample, "--min-severity", "urgent"])
        #expect(usage.status == 64)
    }
}
