import Foundation
import Testing
@testable import TriplineCore

/// CrowdSec's hub parser tests: for every line, the source IP and user CrowdSec's sshd parsers
/// extract (`Meta["source_ip"]`, `Meta["target_user"]` / `Meta["user"]`) are Tripline's too.
@Suite(ConformancePaths.required) struct CrowdSecConformanceTests {
    /// Expected `(index → field → value)` from a `parser.assert` file's `s01-parse` lines.
    static func expectations(_ relative: String, parser name: String) throws -> [Int: [String: String]] {
        let text = try String(contentsOf: ConformancePaths.file(relative), encoding: .utf8)
        var out: [Int: [String: String]] = [:]
        let prefix = "results[\"s01-parse\"][\"crowdsecurity/\(name)\"]["
        for line in text.split(separator: "\n") where line.hasPrefix(prefix) {
            let rest = line.dropFirst(prefix.count)
            guard let close = rest.firstIndex(of: "]"), let idx = Int(rest[..<close]) else { continue }
            for field in ["source_ip", "target_user", "user"] {
                let key = ".Evt.Meta[\"\(field)\"] == \""
                if let r = rest.range(of: key) {
                    let value = rest[r.upperBound...].dropLast()
                    out[idx, default: [:]][field] = String(value)
                }
            }
        }
        return out
    }

    static func events(_ relative: String) throws -> [LogEvent?] {
        let text = try String(contentsOf: ConformancePaths.file(relative), encoding: .utf8)
        var parser = SyslogParser(options: ParseOptions(year: 2024, timeZone: TimeZone(identifier: "UTC")!))
        return text.split(separator: "\n").enumerated().map { idx, raw in
            var l = String(raw)
            if case .event(let e) = l.withUTF8({ parser.parse(ByteSpan($0), file: relative, line: idx + 1) }) { return e }
            return nil
        }
    }

    static func check(log: String, assert: String, parser: String) throws -> Int {
        let expected = try expectations(assert, parser: parser)
        let events = try events(log)
        var checked = 0
        for (idx, fields) in expected.sorted(by: { $0.key < $1.key }) {
            guard idx < events.count, let e = events[idx] else {
                Issue.record("\(log) line \(idx + 1): Tripline read no event")
                continue
            }
            if let ip = fields["source_ip"] {
                #expect(e.sourceIP == ip, "\(log) line \(idx + 1): source \(e.sourceIP ?? "nil") != \(ip) — \(e.message)")
                checked += 1
            }
            if let u = fields["target_user"] ?? fields["user"] {
                #expect(e.user == u, "\(log) line \(idx + 1): user \(e.user ?? "nil") != \(u) — \(e.message)")
                checked += 1
            }
        }
        print("crowdsec \(parser): \(checked) fields over \(expected.count) lines checked")
        return checked
    }

    @Test func sshdLogs() throws {
        let n = try Self.check(log: "crowdsec/sshd-logs--sshd-logs.log", assert: "crowdsec/sshd-logs--parser.assert", parser: "sshd-logs")
        #expect(n >= 30)
    }

    @Test func sshdSuccessLogs() throws {
        let n = try Self.check(log: "crowdsec/sshd-success-logs--sshd-success-logs.log", assert: "crowdsec/sshd-success-logs--parser.assert", parser: "sshd-success-logs")
        #expect(n >= 7)
    }
}
