import Foundation
import Testing

/// Log text chosen by an attacker never reaches the analyst's terminal raw: not through a
/// summary on standard error (a bad timestamp quoted, a file name), a table, or JSON shown on a
/// terminal. Each command is run on records made to retitle the window and clear the screen.
@Suite struct HostileOutputTests {
    /// ESC ] 0 ; title BEL (retitle), ESC [ 2 J (clear), an 8-bit CSI (U+009B), a bidi override.
    static let payloads = ["\u{1B}]0;pwned\u{07}", "\u{1B}[2J", "\u{9B}31m", "\u{202E}gnp.exe"]

    static func hostileFiles() throws -> URL {
        let d = try CLIRunner.tempDir()
        var ndjson = ""
        for (i, p) in payloads.enumerated() {
            let value = p.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F || ($0.value >= 0x80 && $0.value < 0xA0) || $0.value == 0x202E
                ? String(format: "\\u%04x", $0.value) : String($0) }.joined()
            // A bad timestamp (quoted back in the summary), a hostile key and values.
            ndjson += #"{"timestamp": "2026-03-0\#(i + 1) \#(value)", "user": "x"}"# + "\n"
            ndjson += #"{"timestamp": "2026-03-06T10:00:0\#(i)Z", "\#(value)key": "v", "user": "u\#(value)", "source_ip": "203.0.113.9", "event_type": "login", "action": "failed", "message": "Failed \#(value)"}"# + "\n"
        }
        for i in 0..<12 {
            let user = i % 2 == 0 ? #"root\u001b[2J"# : "root"
            ndjson += #"{"timestamp": "2026-03-06T10:01:\#(String(format: "%02d", i))Z", "user": "\#(user)", "source_ip": "203.0.113.9", "event_type": "login", "action": "failed", "message": "Failed password"}"# + "\n"
        }
        try ndjson.write(to: d.appendingPathComponent("evil.ndjson"), atomically: true, encoding: .utf8)
        var syslog = ""
        for i in 0..<12 {
            syslog += "2026-03-06T11:00:\(String(format: "%02d", i))Z web sshd[\(i)]: Invalid user adm\u{1B}]0;x\u{07}\(i) from 198.51.100.4 port \(i) ssh2\n"
        }
        syslog += "Mar 99 99:99:99 \u{1B}[2J broken header\n"
        try syslog.write(to: d.appendingPathComponent("evil.log"), atomically: true, encoding: .utf8)
        return d
    }

    static func expectClean(_ text: String, _ what: String) {
        let bad = text.unicodeScalars.filter { s in
            (s.value < 0x20 && s != "\n" && s != "\t") || s.value == 0x7F || (s.value >= 0x80 && s.value < 0xA0) || s.value == 0x202E
        }
        #expect(bad.isEmpty, "\(what) carries raw control characters: \(bad.map { String($0.value, radix: 16) })")
    }

    @Test func summariesTablesAndJSONAreSafe() throws {
        let d = try Self.hostileFiles()
        let models = d.appendingPathComponent("models").path
        let runs: [[String]] = [
            ["parse", d.appendingPathComponent("evil.ndjson").path, d.appendingPathComponent("evil.log").path],
            ["train", "--data-path", d.path, "--model-dir", models],
            ["analyze", d.path, "--model-dir", models, "--output", "table"],
            ["analyze", d.path, "--model-dir", models, "--output", "json"],
            ["analyze", d.path, "--model-dir", models, "--output", "ndjson"],
        ]
        for args in runs {
            let r = try CLIRunner.run(args)
            #expect(r.status == 0, "\(args.prefix(1)): \(r.stderr)")
            Self.expectClean(r.stderr, "tripline \(args[0]) standard error")
            Self.expectClean(r.stdout, "tripline \(args[0]) \(args.last ?? "") standard output")
        }
        // The payloads are still there, visible as escapes.
        let parsed = try CLIRunner.run(["parse", d.appendingPathComponent("evil.ndjson").path])
        #expect(parsed.stderr.contains("\\x1b"), "the bad timestamp is quoted with its escape shown: \(parsed.stderr)")
        #expect(parsed.stdout.contains("\\u009b") && parsed.stdout.contains("\\u202e"), "JSON escapes C1 controls and bidi overrides")
    }

    /// CSV (export's and batch's) has no escapes of its own and is read by people: control
    /// characters from user names and file names are written as escapes; a file name with a
    /// newline and an escape sequence is shown escaped in every summary.
    @Test func csvAndFileNamesAreSafe() throws {
        let d = try Self.hostileFiles()
        let models = d.appendingPathComponent("models").path
        // A file whose name retitles the window and breaks the summary's line, holding a bad line.
        let logs = d.appendingPathComponent("logs\u{1B}]0;t\u{07}")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        var text = ""
        for i in 0..<12 { text += "2026-03-06T11:00:\(String(format: "%02d", i))Z web sshd[\(i)]: Failed password for r\u{1B}[2Joot from 198.51.100.4 port \(i) ssh2\n" }
        text += "Mar 99 99:99:99 broken header\n"
        try text.write(to: logs.appendingPathComponent("a\nb\u{9B}.log"), atomically: true, encoding: .utf8)
        #expect(try CLIRunner.run(["train", "--data-path", d.path, "--model-dir", models]).status == 0)
        let json = try CLIRunner.run(["analyze", logs.path, "--model-dir", models, "--output", "json"])
        Self.expectClean(json.stderr, "analyze's summary of a hostile file name")
        let result = d.appendingPathComponent("r.json")
        try json.stdout.write(to: result, atomically: true, encoding: .utf8)
        let csv = try CLIRunner.run(["export", result.path, "-o", "csv"])
        #expect(csv.status == 0 && csv.stdout.contains("brute_force"), "\(csv.stderr)")
        Self.expectClean(csv.stdout.replacingOccurrences(of: "\r\n", with: "\n"), "export -o csv")
        #expect(csv.stdout.contains("\\x1b"), "the user name's escape is shown")
        let out = d.appendingPathComponent("reports")
        let b = try CLIRunner.run(["batch", "--log-dir", logs.path, "--output-dir", out.path, "--once", "--model-dir", models])
        Self.expectClean(b.stderr + b.stdout, "batch's output")
        let batchCSV = try String(contentsOf: out.appendingPathComponent("latest/anomalies.csv"), encoding: .utf8)
        #expect(batchCSV.contains("brute_force"))
        Self.expectClean(batchCSV.replacingOccurrences(of: "\r\n", with: "\n"), "batch's anomalies.csv")
        let summary = try String(contentsOf: out.appendingPathComponent("latest/summary.txt"), encoding: .utf8)
        Self.expectClean(summary, "batch's summary.txt")
    }
}
