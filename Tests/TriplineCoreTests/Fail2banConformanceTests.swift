import Foundation
import Testing
@testable import TriplineCore

/// fail2ban's own sshd and pam-generic test logs: every `failJSON` line that applies to
/// fail2ban's normal mode must be an authentication failure in Tripline exactly when fail2ban
/// says `match: true`, with the same source address and user.
@Suite(ConformancePaths.required) struct Fail2banConformanceTests {
    struct Case {
        let line: Int
        let text: String
        let match: Bool
        let host: String?
        let user: String?
        let event: LogEvent?
    }

    /// Lines fail2ban calls `match: false` that Tripline reads as failures, and why.
    static let acceptedExtraFailures: [(String, String)] = [
        ("Failed publickey for git from 192.0.2.1 port", "a refused public key is a failed attempt; fail2ban forgives it only because a later key succeeded (gh-1263)"),
        ("Failed publickey for git from 192.0.2.111", "a refused public key is a failed attempt; fail2ban waits for the disconnect"),
        ("pam_unix(sshd:auth): authentication failure;", "PAM records the failed password; fail2ban waits for sshd's own line or the disconnect (gh-2070), Tripline reports it when it happens"),
        ("pop(pam_unix)[4920]: authentication failure;", "the pre-0.99 linux-pam format is still an authentication failure; fail2ban dropped it from its filter"),
    ]

    /// `match: true` lines Tripline does not read as failures, and why.
    static let knownMisses: [(String, String)] = [
        ("Accepted password for known from 192.0.2.114", "a successful login: fail2ban raises the earlier PAM failures for other users here; Tripline reported them on their own lines and leaves the success a success"),
        ("Accepted password for known from 192.0.2.116", "the same: the failures for root were reported when they happened"),
    ]

    static func cases(_ relative: String, year: Int) throws -> [Case] {
        let text = try String(contentsOf: ConformancePaths.file(relative), encoding: .utf8)
        var parser = SyslogParser(options: ParseOptions(year: year, timeZone: TimeZone(identifier: "UTC")!))
        var normalMode = true
        var pending: JSONValue?
        var out: [Case] = []
        for (idx, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(raw)
            if line.hasPrefix("# filterOptions:") {
                let json = String(line.dropFirst("# filterOptions:".count))
                let v = try JSONParser.parse(json)
                let opts: [JSONValue]
                if case .array(let a) = v { opts = a } else { opts = [v] }
                normalMode = opts.contains { $0["mode"] == nil }
                continue
            }
            if line.hasPrefix("# failJSON:") {
                pending = try JSONParser.parse(String(line.dropFirst("# failJSON:".count)))
                continue
            }
            if line.hasPrefix("#") || line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            var l = line
            let result = l.withUTF8 { parser.parse(ByteSpan($0), file: relative, line: idx + 1) }
            guard let spec = pending else { continue }
            pending = nil
            guard normalMode else { continue }
            if let c = spec["constraint"]?.scalarText, c.contains("== 'aggressive'") || c.contains("== \"aggressive\"") { continue }
            var event: LogEvent?
            if case .event(let e) = result { event = e }
            let match = spec["match"] == .bool(true)
            out.append(Case(line: idx + 1, text: line, match: match, host: spec["host"]?.scalarText,
                            user: spec["user"]?.scalarText, event: event))
        }
        return out
    }

    static func check(_ relative: String, year: Int) throws -> (agree: Int, total: Int, truePositives: Int, trueTotal: Int, usedExceptions: Set<String>) {
        let cases = try cases(relative, year: year)
        var agree = 0, tp = 0
        var used = Set<String>()
        for c in cases {
            let failure = c.event?.outcome == .failure
            if failure == c.match {
                agree += 1
            } else if c.match {
                let hit = knownMisses.first { c.text.contains($0.0) }
                if let hit { used.insert(hit.0) }
                let listed = hit != nil
                #expect(listed, "\(relative):\(c.line) fail2ban: failure, Tripline: not a failure — \(c.text)")
            } else {
                let hit = acceptedExtraFailures.first { c.text.contains($0.0) }
                if let hit { used.insert(hit.0) }
                let listed = hit != nil
                #expect(listed, "\(relative):\(c.line) fail2ban: no failure, Tripline: failure — \(c.text)")
            }
            if c.match, failure {
                tp += 1
                if let host = c.host {
                    #expect(c.event?.sourceIP == host, "\(relative):\(c.line) source \(c.event?.sourceIP ?? "nil") != \(host) — \(c.text)")
                }
                if let user = c.user {
                    #expect((c.event?.user ?? "") == user, "\(relative):\(c.line) user \(c.event?.user ?? "nil") != \(user) — \(c.text)")
                }
            }
        }
        let trueTotal = cases.filter(\.match).count
        print("fail2ban \(relative): \(agree)/\(cases.count) normal-mode lines agree; \(tp)/\(trueTotal) match:true lines read as failures")
        return (agree, cases.count, tp, trueTotal, used)
    }

    @Test func sshdNormalMode() throws {
        let r = try Self.check("fail2ban/sshd", year: 2005)
        let p = try Self.check("fail2ban/pam-generic", year: 2005)
        #expect(r.total > 80, "the fixture should yield many normal-mode cases, got \(r.total)")
        #expect(r.trueTotal - r.truePositives <= Self.knownMisses.count)
        // Every listed disagreement still happens: a stale entry would hide a regression.
        let listed = Set(Self.acceptedExtraFailures.map(\.0) + Self.knownMisses.map(\.0))
        #expect(listed == r.usedExceptions.union(p.usedExceptions), "unused entries: \(listed.subtracting(r.usedExceptions.union(p.usedExceptions)))")
    }

    @Test func pamGeneric() throws {
        let r = try Self.check("fail2ban/pam-generic", year: 2005)
        #expect(r.truePositives == r.trueTotal)
        #expect(r.total >= 8)
    }

    /// Every mode of fail2ban's sshd filter (normal, ddos, extra, aggressive): each line it
    /// matches in any mode is counted by Tripline's detector, as a failed attempt (on this line
    /// or on another line of the same connection) or as a probe of a scan, except the listed
    /// successes. Read in order through the detector's windows, as `analyze` reads a log.
    @Test func sshdEveryModeIsCounted() throws {
        let text = try String(contentsOf: ConformancePaths.file("fail2ban/sshd"), encoding: .utf8)
        var parser = SyslogParser(options: ParseOptions(year: 2005, timeZone: TimeZone(identifier: "UTC")!))
        var windows = DetectionWindows()
        var pending: JSONValue?
        var matched = 0, asFailure = 0, asProbe = 0, asSameConnection = 0
        var uncounted: [String] = []
        // Connections (host, pid) with a line counted: their other lines are the same attempt
        // (or the same probe) and are not counted twice.
        var countedConnections = Set<String>()
        for (idx, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(raw)
            if line.hasPrefix("# failJSON:") {
                pending = try JSONParser.parse(String(line.dropFirst("# failJSON:".count)))
                continue
            }
            if line.hasPrefix("#") || line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            var l = line
            let result = l.withUTF8 { parser.parse(ByteSpan($0), file: "sshd", line: idx + 1) }
            var counts: DetectionWindows.Counts?
            var event: LogEvent?
            var connection = ""
            if case .event(let e) = result {
                event = e
                counts = windows.observe(e)
                connection = "\(e.host ?? "")|\(e.pid ?? -idx)"
                if (counts?.failureWeight ?? 0) > 0 || (counts?.probe ?? 0) > 0 || e.outcome == .failure { countedConnections.insert(connection) }
            }
            guard let spec = pending else { continue }
            pending = nil
            guard spec["match"] == .bool(true) else { continue }
            matched += 1
            if (counts?.failureWeight ?? 0) > 0 || event?.outcome == .failure {
                asFailure += 1
            } else if (counts?.probe ?? 0) > 0 {
                asProbe += 1
            } else if countedConnections.contains(connection) {
                asSameConnection += 1
            } else if !Self.knownMisses.contains(where: { line.contains($0.0) }) {
                uncounted.append("\(idx + 1): \(line)")
            }
        }
        print("fail2ban sshd, every mode: \(matched) matched lines; Tripline counts \(asFailure) as failed attempts, \(asProbe) as probes, \(asSameConnection) as further lines of a connection already counted")
        #expect(matched > 100, "the fixture should have many matched lines, got \(matched)")
        #expect(asProbe > 0, "the ddos-mode lines are probes")
        #expect(uncounted.isEmpty, "matched by fail2ban, not counted by Tripline: \(uncounted)")
    }
}
