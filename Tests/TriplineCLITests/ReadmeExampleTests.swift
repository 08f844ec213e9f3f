import Foundation
import Testing
import TriplineCore

/// What the README shows is what the binary prints: its quick start (train on the sample, then
/// analyze it) gives the counts, severities and example anomaly of the README's JSON example.
@Suite struct ReadmeExampleTests {
    /// The README's `--output json` example block.
    static func example() throws -> String {
        let readme = try String(contentsOf: CLIRunner.projectRoot.appendingPathComponent("README.md"), encoding: .utf8)
        guard let start = readme.range(of: "```json\n{\n  \"events_analyzed\""), let end = readme.range(of: "\n```", range: start.upperBound..<readme.endIndex) else {
            Issue.record("the README has no --output json example")
            return ""
        }
        return String(readme[start.lowerBound..<end.lowerBound])
    }

    /// The text of `"key": value` in the example (up to the comma or brace that ends it).
    static func value(_ key: String, in text: String) -> String? {
        guard let r = text.range(of: "\"\(key)\": ") else { return nil }
        var depth = 0
        var out = ""
        for c in text[r.upperBound...] {
            if depth == 0, c == "," || c == "\n" || c == "}" { break }
            if c == "{" || c == "[" { depth += 1 }
            if c == "}" || c == "]" { depth -= 1 }
            out.append(c)
        }
        return out
    }

    @Test func theJSONExampleIsTheQuickStartsOutput() throws {
        let dir = try CLIRunner.tempDir()
        let models = dir.appendingPathComponent("models").path
        let t = try CLIRunner.run(["train", "--data-path", "test_logs/", "--baseline-days", "1", "--model-dir", models])
        #expect(t.status == 0, "\(t.stderr)")
        let a = try CLIRunner.run(["analyze", "test_logs/", "--output", "json", "--model-dir", models])
        #expect(a.status == 0, "\(a.stderr)")
        let doc = try JSONParser.parse(a.stdout)
        let example = try Self.example()
        #expect(Self.value("events_analyzed", in: example) == doc["events_analyzed"]?.scalarText)
        #expect(Self.value("anomalies_detected", in: example) == doc["anomalies_detected"]?.scalarText)
        for s in ["low", "medium", "high", "critical"] {
            #expect(Self.value(s, in: example) == doc["by_severity"]?[s]?.scalarText, "by_severity.\(s)")
        }
        // The example anomaly, found by its address.
        guard case .array(let list)? = doc["anomalies"], let ip = Self.value("source_ip", in: example)?.trimmingCharacters(in: CharacterSet(charactersIn: "\"")),
              let shown = list.first(where: { $0["source_ip"]?.scalarText == ip }) else {
            Issue.record("the example's anomaly is not in the output")
            return
        }
        for key in ["timestamp", "user", "host", "kind", "severity"] {
            #expect(Self.value(key, in: example) == "\"\(shown[key]?.scalarText ?? "")\"", "\(key)")
        }
        #expect(Self.value("score", in: example) == shown["score"]?.scalarText)
        guard case .array(let reasons)? = shown["reasons"], let first = reasons.first?.scalarText else { Issue.record("no reasons"); return }
        #expect(example.contains(first), "the README's reason is the binary's: \(first)")
        #expect(Self.value("event_count", in: example) == shown["evidence"]?["event_count"]?.scalarText)
    }
}
