import Foundation
import Testing
import TriplineCore

@Suite struct GenerateCommandTests {
    @Test func sameSeedSameFilesAndLabelsDescribeTheAttacks() throws {
        let a = try CLIRunner.tempDir(), b = try CLIRunner.tempDir()
        for d in [a, b] {
            let r = try CLIRunner.run(["generate", "--out", d.path, "--days", "3", "--users", "8", "--seed", "7", "--attacks", "1"])
            #expect(r.status == 0, "\(r.stderr)")
        }
        for f in ["auth.log", "ndjson/events.ndjson", "labels/labels.json"] {
            let x = try Data(contentsOf: a.appendingPathComponent(f)), y = try Data(contentsOf: b.appendingPathComponent(f))
            #expect(x == y, "\(f) differs between two runs with the same seed")
            #expect(x.count > 1000)
        }
        let labels = try JSONParser.parse(String(decoding: try Data(contentsOf: a.appendingPathComponent("labels/labels.json")), as: UTF8.self))
        guard case .array(let attacks)? = labels["attacks"] else { Issue.record("no attacks array"); return }
        let kinds = Set(attacks.compactMap { $0["kind"]?.scalarText })
        #expect(kinds.count == AnomalyKind.allCases.count - 1, "every attack kind planted once: \(kinds)")
        // Every syslog line of the generated files parses.
        let p = try CLIRunner.run(["parse", "--quiet", a.appendingPathComponent("auth.log").path, a.appendingPathComponent("ndjson/events.ndjson").path])
        #expect(p.status == 0)
        let r = try CLIRunner.run(["parse", a.appendingPathComponent("auth.log").path])
        #expect(r.stderr.contains("no lines skipped"), "\(r.stderr)")
        // evaluate, as text and as JSON (the same figures).
        let text = try CLIRunner.run(["evaluate", a.path])
        let json = try CLIRunner.run(["evaluate", a.path, "--output", "json"])
        #expect(text.status == 0 && json.status == 0, "\(json.stderr)")
        let doc = try JSONParser.parse(json.stdout)
        let all = try #require(doc["all"])
        let found = Int(all["found"]?.numberValue ?? -1), planted = Int(all["planted"]?.numberValue ?? -1)
        // (Some kinds are planted in the NDJSON form only: the syslog form scores the rest.)
        #expect(planted > 0 && planted <= attacks.count && found <= planted && found > 0)
        #expect(text.stdout.split(separator: "\n").contains { $0.hasPrefix("all") && $0.contains("\(found)/\(planted)") }, "\(text.stdout)")
        guard case .object(let kinds)? = doc["kinds"] else { Issue.record("no kinds"); return }
        #expect(kinds.values.reduce(0) { $0 + Int($1["planted"]?.numberValue ?? 0) } == planted && kinds["brute_force"] != nil, "\(kinds.keys.sorted())")
    }

    @Test func differentSeedsDiffer() throws {
        let a = try CLIRunner.tempDir(), b = try CLIRunner.tempDir()
        _ = try CLIRunner.run(["generate", "--out", a.path, "--days", "2", "--users", "5", "--seed", "1"])
        _ = try CLIRunner.run(["generate", "--out", b.path, "--days", "2", "--users", "5", "--seed", "2"])
        let x = try Data(contentsOf: a.appendingPathComponent("auth.log")), y = try Data(contentsOf: b.appendingPathComponent("auth.log"))
        #expect(x != y)
    }
}
