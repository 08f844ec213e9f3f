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
    }

    @Test func differentSeedsDiffer() throws {
        let a = try CLIRunner.tempDir(), b = try CLIRunner.tempDir()
        _ = try CLIRunner.run(["generate", "--out", a.path, "--days", "2", "--users", "5", "--seed", "1"])
        _ = try CLIRunner.run(["generate", "--out", b.path, "--days", "2", "--users", "5", "--seed", "2"])
        let x = try Data(contentsOf: a.appendingPathComponent("auth.log")), y = try Data(contentsOf: b.appendingPathComponent("auth.log"))
        #expect(x != y)
    }
}
