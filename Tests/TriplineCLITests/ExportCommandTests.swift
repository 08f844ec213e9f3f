import Foundation
import Testing
import TriplineCore

/// `tripline export` on what `tripline analyze` wrote: ECS NDJSON, NDJSON and CSV.
@Suite struct ExportCommandTests {
    static func analyzed() throws -> (dir: URL, json: URL, count: Int) {
        let dir = try CLIRunner.tempDir()
        let models = dir.appendingPathComponent("models").path
        let sample = CLIRunner.projectRoot.appendingPathComponent("test_logs/auth.log").path
        #expect(try CLIRunner.run(["train", "--data-path", sample, "--baseline-days", "1", "--model-dir", models]).status == 0)
        let r = try CLIRunner.run(["analyze", sample, "--model-dir", models, "--output", "json"])
        let json = dir.appendingPathComponent("result.json")
        try r.stdout.write(to: json, atomically: true, encoding: .utf8)
        let count = Int(try JSONParser.parse(r.stdout)["anomalies_detected"]?.numberValue ?? 0)
        return (dir, json, count)
    }

    @Test func ecsDocumentsForSIEMImport() throws {
        let (_, json, count) = try Self.analyzed()
        #expect(count >= 5)
        let r = try CLIRunner.run(["export", json.path, "-o", "ecs"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == count)
        for l in lines {
            let d = try JSONParser.parse(String(l))
            #expect(d["@timestamp"]?.scalarText.flatMap { Timestamp(iso8601: $0) } != nil)
            #expect(d["event"]?["kind"]?.scalarText == "alert")
            #expect([21.0, 47, 73, 99].contains(d["event"]?["severity"]?.numberValue ?? 0))
            guard case .array(let ids)? = d["threat"]?["technique"]?["id"] else { Issue.record("no technique ids"); continue }
            #expect(ids.allSatisfy { $0.scalarText?.hasPrefix("T") == true })
            if let ip = d["source"]?["address"]?.scalarText, ip.contains(".") || ip.contains(":") {
                #expect(d["source"]?["ip"]?.scalarText == ip)
            }
            #expect(d["rule"]?["name"]?.scalarText.flatMap(AnomalyKind.init(rawValue:)) != nil)
        }
    }

    @Test func csvAndNDJSONRoundTrip() throws {
        let (dir, json, count) = try Self.analyzed()
        let out = dir.appendingPathComponent("anomalies.csv")
        // The spelling before 0.2 (--format for the output, -o/--output for the file) still works …
        let r = try CLIRunner.run(["export", json.path, "--format", "csv", "--output", out.path, "--min-severity", "high"])
        #expect(r.status == 0 && r.stderr.contains(out.path))
        // … and gives what the one spelling of every command gives: -o the format, --output-file the file.
        let out2 = dir.appendingPathComponent("anomalies2.csv")
        let r2 = try CLIRunner.run(["export", json.path, "-o", "csv", "--output-file", out2.path, "--min-severity", "high"])
        #expect(r2.status == 0 && !r2.stderr.contains("old spelling"))
        #expect(try Data(contentsOf: out2) == Data(contentsOf: out))
        let both = try CLIRunner.run(["export", json.path, "-o", "cvs", "--output-file", out2.path])
        #expect(both.status == 64 && both.stderr.contains("unknown output 'cvs'"), "\(both.stderr)")
        let csv = try String(contentsOf: out, encoding: .utf8)
        let rows = csv.split(separator: "\r\n")
        #expect(rows.first == "id,timestamp,last_seen,severity,score,kind,user,source_ip,host,techniques,event_count,reasons,evidence")
        #expect(rows.count > 1 && rows.count <= count + 1)
        #expect(rows.dropFirst().allSatisfy { $0.contains(",high,") || $0.contains(",critical,") })
        // NDJSON out, then NDJSON in: the same anomalies.
        let nd = try CLIRunner.run(["export", json.path, "--output", "ndjson"])
        #expect(nd.stdout.split(separator: "\n").count == count)
        let again = try CLIRunner.run(["export", "-", "--format", "ndjson"], stdin: nd.stdout)
        #expect(again.stdout == nd.stdout)
    }

    @Test func attackerTextCannotBecomeASpreadsheetFormula() throws {
        let dir = try CLIRunner.tempDir()
        let doc = #"{"anomalies": [{"id": "TL-1", "timestamp": "2026-03-06T10:00:00Z", "last_seen": "2026-03-06T10:05:00Z", "user": "=HYPERLINK(\"http://x\")", "source_ip": "203.0.113.45", "host": "web-01", "kind": "brute_force", "severity": "high", "score": 70, "techniques": ["T1110.001"], "reasons": ["12 failed logins, for \"root\""], "evidence": {"event_count": 12, "locations": ["a.log:1"], "truncated": true}, "details": {}}]}"#
        let f = dir.appendingPathComponent("doc.json")
        try doc.write(to: f, atomically: true, encoding: .utf8)
        let r = try CLIRunner.run(["export", f.path, "--format", "csv"])
        #expect(r.status == 0)
        #expect(r.stdout.contains(#""'=HYPERLINK(""http://x"")""#), "\(r.stdout)")
        #expect(r.stdout.contains(#""12 failed logins, for ""root""""#))
    }

    @Test func badInputNamesTheFileAndPlace() throws {
        let dir = try CLIRunner.tempDir()
        let f = dir.appendingPathComponent("bad.json")
        try #"{"anomalies": [{"id": "x", "timestamp": "soon", "last_seen": "2026-03-06T10:05:00Z", "kind": "brute_force", "score": 70}]}"#.write(to: f, atomically: true, encoding: .utf8)
        let r = try CLIRunner.run(["export", f.path])
        #expect(r.status == 2 && r.stderr.contains(f.path) && r.stderr.contains("anomalies[0].timestamp"), "\(r.stderr)")
        let nd = dir.appendingPathComponent("bad.ndjson")
        try "{\"id\": 1}\nnot json\n".write(to: nd, atomically: true, encoding: .utf8)
        let r2 = try CLIRunner.run(["export", nd.path])
        #expect(r2.status == 2 && r2.stderr.contains("line 1"), "\(r2.stderr)")
        let missing = try CLIRunner.run(["export", dir.appendingPathComponent("nope.json").path])
        #expect(missing.status == 2 && missing.stderr.contains("nope.json"))
    }
}
