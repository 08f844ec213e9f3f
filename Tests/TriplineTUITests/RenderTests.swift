import Foundation
import Testing
@testable import TriplineTUI
import TriplineEngine
import TriplineCore

/// The dashboard rendered into a buffer, compared as text with golden files in `Snapshots/`
/// (set TRIPLINE_RECORD=1 to rewrite them after a deliberate change, then review the diff).
@Suite struct RenderTests {
    static let now = Timestamp(year: 2026, month: 3, day: 5, hour: 12, minute: 0, second: 0)

    static func anomaly(_ i: Int, _ kind: AnomalyKind, _ score: Double, user: String?, source: String?, minute: Int) -> Anomaly {
        Anomaly(id: "TL-\(i)", kind: kind, start: Timestamp(year: 2026, month: 3, day: 5, hour: 11, minute: minute, second: 0),
                lastSeen: Timestamp(year: 2026, month: 3, day: 5, hour: 11, minute: minute + 2, second: 0), user: user, sourceIP: source,
                host: "web-01", score: score, reasons: ["reason number \(i) for \(kind.rawValue)"], eventCount: 10 + i,
                evidence: [EvidenceLocation(file: "auth.log", line: 100 + i)], details: [:])
    }

    static func state(width: Int, height: Int) -> DashboardState {
        var s = DashboardState()
        s.width = width
        s.height = height
        s.sourceLabel = "following /var/log/auth.log"
        var snap = EngineSnapshot()
        snap.anomalies = [
            anomaly(1, .bruteForce, 92, user: "root", source: "203.0.113.45", minute: 50),
            anomaly(2, .successAfterFailures, 90, user: "alice", source: "203.0.113.45", minute: 45),
            anomaly(3, .passwordSpraying, 70, user: "bob", source: "198.51.100.7", minute: 30),
            anomaly(4, .userEnumeration, 55, user: "admin", source: "192.0.2.9", minute: 20),
            anomaly(5, .unusualActivity, 30, user: "carol", source: "10.8.1.2", minute: 10),
        ]
        // Two hours of events, busier while the attacks ran, and the anomalies' incidents.
        for minute in 0..<120 {
            let t = now.microseconds - Int64(120 - minute) * 60_000_000
            let n = (minute >= 70 && minute <= 112) ? 40 : 10 + minute % 7
            for k in 0..<n { snap.activity.addEvent(at: Timestamp(microseconds: t + Int64(k) * 1_000_000)) }
        }
        for a in snap.anomalies { snap.activity.addIncident(start: a.start, severity: a.severity) }
        snap.activity.settle()
        snap.topSources = [.init(name: "203.0.113.45", count: 2, worst: .critical), .init(name: "198.51.100.7", count: 1, worst: .high)]
        snap.topUsers = [.init(name: "alice", count: 1, worst: .critical), .init(name: "root", count: 1, worst: .critical)]
        snap.stats.events = 123_456
        snap.stats.anomalies = 5
        snap.stats.anomaliesBySeverity = [.critical: 2, .high: 1, .medium: 1, .low: 1]
        snap.stats.files = ["/var/log/auth.log"]
        snap.stats.eventsPerSecond = 1530
        snap.stats.lastEvent = now
        snap.version = 1
        s.snapshot = snap
        return s
    }

    /// One letter per cell for its role, upper case when reversed: what the screen looks like
    /// in colour, so a change of style is caught as surely as a change of text.
    static func roles(_ b: ScreenBuffer) -> String {
        let letter: [Role: Character] = [
            .normal: "n", .title: "t", .border: "b", .header: "h", .dim: "d", .focus: "f", .selected: "s", .cursor: "c",
            .status: "u", .message: "m", .error: "e", .low: "l", .medium: "o", .high: "i", .critical: "x", .help: "p",
        ]
        return (0..<b.height).map { y in
            String((0..<b.width).map { x -> Character in
                let c = b.cell(x: x, y: y)
                let l = letter[c.role] ?? "?"
                return c.reverse ? Character(l.uppercased()) : l
            })
        }.joined(separator: "\n")
    }

    /// Compares a screen with its golden files: `Snapshots/NAME.txt` (the text) and
    /// `Snapshots/NAME.roles.txt` (the roles); `TRIPLINE_RECORD=1` writes them anew.
    static func check(_ name: String, _ b: ScreenBuffer) throws {
        try check(name, b.text)
        try check(name + ".roles", roles(b))
    }

    static func check(_ name: String, _ text: String) throws {
        var dir = URL(fileURLWithPath: #filePath)
        dir.deleteLastPathComponent()
        let url = dir.appendingPathComponent("Snapshots/\(name).txt")
        if ProcessInfo.processInfo.environment["TRIPLINE_RECORD"] != nil || !FileManager.default.fileExists(atPath: url.path) {
            try text.write(to: url, atomically: true, encoding: .utf8)
            if ProcessInfo.processInfo.environment["TRIPLINE_RECORD"] == nil {
                Issue.record("recorded a new snapshot \(name); review it and run again")
            }
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        if expected != text {
            let a = expected.split(separator: "\n", omittingEmptySubsequences: false), b = text.split(separator: "\n", omittingEmptySubsequences: false)
            let diff = zip(a.indices, zip(a, b)).filter { $0.1.0 != $0.1.1 }.prefix(5).map { "row \($0.0):\n  expected: \($0.1.0)\n  actual:   \($0.1.1)" }
            Issue.record("screen \(name) differs from Snapshots/\(name).txt:\n\(diff.joined(separator: "\n"))")
        }
    }

    /// A model that cannot be used is not "no model": the pane says what is wrong and what to do.
    @Test func aDamagedModelIsShownAsSuch() {
        var s = Self.state(width: 120, height: 30)
        s.snapshot.model = nil
        s.snapshot.modelProblem = ModelProblem(text: "the model /var/lib/tripline/model.json is damaged (x): run 'tripline train' again", damaged: true,
                                                 brief: "model.json is damaged")
        let text = Renderer(unicode: true, now: Self.now).render(s).text
        #expect(text.contains("model unusable: rules only"))
        #expect(text.contains("model.json is damaged"))
        #expect(!text.contains("no model: rules only"))
        s.snapshot.modelProblem = ModelProblem(text: "no model at /x", damaged: false)
        #expect(Renderer(unicode: true, now: Self.now).render(s).text.contains("no model: rules only"))
    }

    @Test func mainScreenAt80x24() throws {
        let b = Renderer(unicode: true, now: Self.now).render(Self.state(width: 80, height: 24))
        try Self.check("main-80x24", b)
        #expect(b.line(0).contains("events 123k"))
        #expect(b.text.contains("CRIT") && b.text.contains("203.0.113.45"))
    }

    /// At 80×24 the offenders pane is 22 wide: an IPv4 address (15 columns) is shown whole,
    /// and the severity word, then the count, give way; names that differ only by what cannot
    /// be seen (a trailing space, a zero-width space) never read alike.
    @Test func offendersShowNamesWholeAndDistinct() {
        var s = Self.state(width: 80, height: 24)
        s.snapshot.topSources = [.init(name: "179.123.133.199", count: 2, worst: .critical), .init(name: "203.0.113.45", count: 12345, worst: .high)]
        s.snapshot.topUsers = [.init(name: "admin", count: 3, worst: .critical), .init(name: "admin ", count: 2, worst: .high), .init(name: "ad\u{200B}min", count: 1, worst: .low)]
        let b = Renderer(unicode: true, now: Self.now).render(s)
        #expect(b.text.contains("179.123.133.199"), "\(b.text)")
        #expect(b.text.contains("203.0.113.45"))
        // The offenders pane's rows: the middle box below the feed.
        let lines = b.text.split(separator: "\n").map(String.init)
        let top = lines.firstIndex { $0.contains("Top offenders") } ?? lines.count
        let pane = lines.dropFirst(top + 1).compactMap { l -> String? in
            let parts = l.split(separator: "│", omittingEmptySubsequences: false)
            return parts.count > 3 ? String(parts[3]) : nil
        }
        let names = pane.filter { $0.contains("ad") }.map { String($0.prefix(while: { $0 != " " || true })).trimmingCharacters(in: .whitespaces) }
        #expect(names.count == 3, "\(b.text)")
        #expect(Set(names).count == 3, "three names, three different rows: \(names)")
        #expect(b.text.contains("admin\\x20"))
    }

    @Test func mainScreenLargeShowsMoreColumns() throws {
        let b = Renderer(unicode: true, now: Self.now).render(Self.state(width: 140, height: 40))
        try Self.check("main-140x40", b)
        #expect(b.text.contains("CRITICAL") && b.text.contains("password_spraying"))
        // One host: no HOST column, however wide.
        #expect(!b.text.contains("HOST"))
    }

    /// Events from several hosts: a HOST column at every width, a HOSTS list among the offenders,
    /// and Enter on a host asks for its drill-down.
    static func manyHosts(width: Int, height: Int) -> DashboardState {
        var s = state(width: width, height: height)
        s.snapshot.anomalies[1].host = "db-02.corp.example"
        s.snapshot.anomalies[3].host = "mail-03"
        s.snapshot.stats.hosts = 3
        s.snapshot.topHosts = [.init(name: "web-01", count: 3, worst: .critical), .init(name: "db-02.corp.example", count: 1, worst: .critical),
                               .init(name: "mail-03", count: 1, worst: .medium)]
        return s
    }

    @Test(arguments: [(80, 24), (120, 30), (200, 50)]) func severalHostsGetAColumnAndAList(size: (Int, Int)) throws {
        var s = Self.manyHosts(width: size.0, height: size.1)
        let b = Renderer(unicode: true, now: Self.now).render(s)
        try Self.check("hosts-\(size.0)x\(size.1)", b)
        let text = b.text
        #expect(text.contains("HOST ") && text.contains("HOSTS") && text.contains("mail-03"), "\(text)")
        // Every address and user whole: the priority columns keep their width.
        for a in s.snapshot.anomalies { #expect(text.contains(a.sourceIP!) && text.contains(a.user!)) }
        // Tab reaches the hosts list (sources, users, hosts); Enter drills into a host.
        for _ in 0..<3 { _ = reduce(&s, key: .tab, now: Self.now) }
        #expect(s.focus == .hosts)
        _ = reduce(&s, key: .down, now: Self.now)
        let effects = reduce(&s, key: .enter, now: Self.now)
        #expect(effects == [.drill(.init(kind: .host, name: "db-02.corp.example"))])
        _ = reduce(&s, key: .escape, now: Self.now)
        _ = reduce(&s, key: .tab, now: Self.now)
        #expect(s.focus == .feed)
        // With one host, Tab goes round three panes.
        var one = Self.state(width: size.0, height: size.1)
        for _ in 0..<3 { _ = reduce(&one, key: .tab, now: Self.now) }
        #expect(one.focus == .feed)
    }

    /// IPv6 addresses and long names at 80 columns: the address whole (the kind and the reason
    /// give way); a name longer than its column ends in the cut mark, never silently.
    @Test func addressesKeepTheirWidth() {
        var s = Self.state(width: 80, height: 24)
        s.snapshot.anomalies[0].sourceIP = "2001:db8:85a3:1234:5678:8a2e:370:7334"
        s.snapshot.anomalies[1].user = "a-very-long-service-account-name"
        let text = Renderer(unicode: true, now: Self.now).render(s).text
        #expect(text.contains("2001:db8:85a3:1234:5678:8a2e:370:7334"), "\(text)")
        #expect(text.contains(try! Regex("a-very-long-[a-z-]*⋯")), "\(text)")
        let ascii = Renderer(unicode: false, now: Self.now).render(s).text
        #expect(ascii.contains(try! Regex("a-very-long-[a-z-]*~")), "\(ascii)")
    }

    /// → scrolls the feed sideways to the rest of each line: the whole reason and the whole
    /// name come into view; ← comes back.
    @Test func arrowsScrollTheFeedSideways() {
        var s = Self.state(width: 80, height: 24)
        let long = "ten failed passwords for root from 203.0.113.45 in 54 seconds, then a success from the same address at 11:52"
        s.snapshot.anomalies[0].reasons = [long]
        s.snapshot.anomalies[1].user = "a-very-long-service-account-name"
        let before = Renderer(unicode: true, now: Self.now).render(s).text
        #expect(!before.contains("at 11:52") && !before.contains("a-very-long-service-account-name"))
        var seen = before
        for _ in 0..<20 {
            _ = reduce(&s, key: .right, now: Self.now)
            seen += Renderer(unicode: true, now: Self.now).render(s).text
        }
        #expect(seen.contains("at 11:52") && seen.contains("a-very-long-service-account-name"), "\(seen)")
        #expect(seen.contains("← back"))
        for _ in 0..<40 { _ = reduce(&s, key: .left, now: Self.now) }
        #expect(s.feedShift == 0 && Renderer(unicode: true, now: Self.now).render(s).text == before)
    }

    /// n and N jump between the rows matching the last filter, also after Esc cleared it.
    @Test func nextAndPreviousMatch() {
        var s = Self.state(width: 80, height: 24)
        for c in "/203.0.113" { _ = reduce(&s, key: .char(c), now: Self.now) }
        _ = reduce(&s, key: .enter, now: Self.now)
        #expect(s.feed.count == 2 && s.search == "203.0.113")
        _ = reduce(&s, key: .escape, now: Self.now)
        #expect(s.feed.count == 5)
        // Rows 0 and 1 hold 203.0.113.45.
        _ = reduce(&s, key: .char("G"), now: Self.now)
        _ = reduce(&s, key: .char("n"), now: Self.now)
        #expect(s.feedCursor == 0 && s.message == "search wrapped around")
        _ = reduce(&s, key: .char("n"), now: Self.now)
        #expect(s.feedCursor == 1)
        _ = reduce(&s, key: .char("N"), now: Self.now)
        #expect(s.feedCursor == 0)
        s.search = "nobody-at-all"
        _ = reduce(&s, key: .char("n"), now: Self.now)
        #expect(s.feedCursor == 0 && s.message?.contains("no row matches") == true)
    }

    @Test func helpDrillAndAscii() throws {
        var s = Self.state(width: 80, height: 24)
        s.view = .help
        try Self.check("help-80x24", Renderer(unicode: true, now: Self.now).render(s))
        s.view = .main
        let ascii = Renderer(unicode: false, now: Self.now).render(s)
        #expect(!ascii.text.unicodeScalars.contains { $0.value > 0x7E }, "ASCII mode draws nothing but ASCII")
        try Self.check("main-ascii-80x24", ascii)
        let req = DetectionEngine.EntityRequest(kind: .source, name: "203.0.113.45")
        s.view = .drill(req)
        s.details = EntityDetails(kind: .source, name: "203.0.113.45", anomalies: [s.snapshot.anomalies[0]],
                                  recentEvents: [LogEvent(timestamp: Timestamp(year: 2026, month: 3, day: 5, hour: 11, minute: 52, second: 0), host: "web-01",
                                                          program: "sshd", pid: 9, user: "root", sourceIP: "203.0.113.45", eventType: .login,
                                                          outcome: .failure, action: "failed", authMethod: "password", invalidUser: false,
                                                          message: "Failed password for root from 203.0.113.45 port 4 ssh2", file: "auth.log", line: 1)],
                                  baseline: .notSeen, timeline: EntityTimeline(from: Timestamp(year: 2026, month: 3, day: 5, hour: 11, minute: 0, second: 0),
                                                                               bucket: 60_000_000, counts: Array(repeating: 0, count: 20) + [3, 9, 40, 2],
                                                                               worst: Array(repeating: nil, count: 21) + [.critical, .critical, nil]))
        try Self.check("drill-80x24", Renderer(unicode: true, now: Self.now).render(s))
    }

    @Test func tooSmallSaysSo() {
        let b = Renderer(unicode: true, now: Self.now).render(Self.state(width: 40, height: 10))
        #expect(b.text.contains("terminal too small") && b.text.contains("have 40×10, need 60×16"))
    }

    @Test func hostileTextIsShownNotObeyed() {
        var s = Self.state(width: 100, height: 30)
        s.snapshot.anomalies[0].user = "\u{1B}]0;pwned\u{07}\u{1B}[31mroot"
        s.snapshot.anomalies[0].reasons = ["\u{1B}[2J\u{9B}31m cleared?"]
        let b = Renderer(unicode: true, now: Self.now).render(s)
        #expect(!b.text.unicodeScalars.contains { ($0.value < 0x20 && $0 != "\n") || ($0.value >= 0x7F && $0.value < 0xA0) })
        #expect(b.text.contains("\\x1b]0;pw"))
    }

    /// Reasons wrap in the drill-down: every word kept, no line wider than the pane, words
    /// broken only when longer than a line.
    @Test func reasonsWrapWithoutLosingWords() {
        let reason = "19 failed logins for 8 accounts from 5.188.10.180 in 1 min (up to 19 in 10 min; the threshold is 5) accounts: root, admin, 日本語ユーザー, averyveryverylongaccountnamethatcannotfit"
        for width in [12, 20, 40, 78] {
            let lines = Renderer.wrap(reason, width: width, first: "    ", rest: "      ")
            for l in lines {
                let cols = l.unicodeScalars.reduce(0) { $0 + ScreenBuffer.columns($1) }
                #expect(cols <= width, "\(width): \(l)")
            }
            #expect(lines[0].hasPrefix("    ") && lines.dropFirst().allSatisfy { $0.hasPrefix("      ") })
            let words = lines.joined().split(separator: " ").joined()
            #expect(words == reason.split(separator: " ").joined(), "width \(width): words lost or changed")
        }
        #expect(Renderer.wrap("short", width: 40, first: "  ", rest: "    ") == ["  short"])
    }

    @Test func wideCharactersTakeTwoColumns() {
        var buf = ScreenBuffer(width: 10, height: 1)
        let used = buf.put("日本x", x: 0, y: 0)
        #expect(used == 5)
        #expect(buf.line(0) == "日本x     ")
        var clip = ScreenBuffer(width: 3, height: 1)
        clip.put("日本", x: 0, y: 0)
        #expect(clip.line(0) == "日⋯", "a wide character that does not fit is left out, not cut in half, and the cut is marked")
        var mark = ScreenBuffer(width: 20, height: 1)
        mark.put("185.201.164.210", x: 0, y: 0, maxWidth: 14)
        #expect(mark.line(0).hasPrefix("185.201.164.2⋯ "), "an address cut short is never shown as another address: \(mark.line(0))")
        var fits = ScreenBuffer(width: 20, height: 1)
        fits.put("185.201.164.210", x: 0, y: 0, maxWidth: 15)
        #expect(fits.line(0).hasPrefix("185.201.164.210 "))
    }

    /// Names an attacker picks (emoji once missing from the width table, CJK, combining marks)
    /// keep the feed's columns where they belong.
    @Test func anyUnicodeNameKeepsTheColumnsAligned() {
        #expect(["⚡", "⌚", "🚀", "中", "ｆ"].allSatisfy { ScreenBuffer.columns($0.unicodeScalars.first!) == 2 })
        #expect(["\u{301}", "\u{200D}", "\u{FE0F}", "\u{200B}"].allSatisfy { ScreenBuffer.columns($0.unicodeScalars.first!) == 0 })
        #expect(["a", "é", "ж", "→"].allSatisfy { ScreenBuffer.columns($0.unicodeScalars.first!) == 1 })
        var s = Self.state(width: 120, height: 30)
        let names = ["⚡root", "⌚bob", "🚀eve", "名前テスト", "zalgo\u{301}\u{302}\u{303}", "plain"]
        s.snapshot.anomalies = names.enumerated().map { i, n in Self.anomaly(i, .bruteForce, 77, user: n, source: "203.0.113.\(i)", minute: 50 - i) }
        let b = Renderer(unicode: true, now: Self.now).render(s)
        var scoreColumns = Set<Int>()
        for y in 0..<b.height {
            let row = (0..<b.width).map { b.cell(x: $0, y: y) }
            guard row.contains(where: { $0.scalar == "2" }) || names.contains(where: { n in b.line(y).contains(n) }) else { continue }
            for x in 0..<(b.width - 1) where row[x].scalar == "7" && row[x + 1].scalar == "7" && !row[x].continuation {
                scoreColumns.insert(x)
            }
        }
        #expect(scoreColumns.count == 1, "the score column moved with the names: \(scoreColumns.sorted())\n\(b.text)")
    }

    /// The header counts every incident since the start; the feed says when it holds only the
    /// newest of them.
    @Test func totalsAreTotalsAndTheFeedSaysWhatItKeeps() {
        var s = Self.state(width: 120, height: 30)
        s.snapshot.stats.anomalies = 60_000
        s.snapshot.stats.feedKept = 500
        let b = Renderer(unicode: true, now: Self.now).render(s)
        #expect(b.line(0).contains("anomalies 60k"), "\(b.line(0))")
        #expect(b.text.contains("newest 500 of 60"), "\(b.text)")
    }

    @Test func startTimesNeverPassOtherDaysForToday() {
        let t = Timestamp(year: 2026, month: 3, day: 5, hour: 1, minute: 11, second: 5)
        let sameDay = Timestamp(year: 2026, month: 3, day: 5, hour: 23, minute: 0, second: 0)
        let nextDay = Timestamp(year: 2026, month: 3, day: 6, hour: 0, minute: 30, second: 0)
        #expect(Renderer.startText(t, width: 5, newest: sameDay) == "01:11")
        #expect(Renderer.startText(t, width: 5, newest: nextDay) == "03-05")
        #expect(Renderer.startText(t, width: 11, newest: nextDay) == "03-05 01:11")
        #expect(Renderer.startText(t, width: 14, newest: nil) == "03-05 01:11:05")
    }
}
