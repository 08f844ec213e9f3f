import Foundation
import Testing
@testable import TriplineCore

/// The detector on hand-made event sequences: attacks become one incident each; benign
/// look-alikes stay quiet. Independent of `tripline generate`.
@Suite struct DetectorTests {
    static let t0 = Timestamp(year: 2026, month: 3, day: 2, hour: 0, minute: 0, second: 0).microseconds

    static func at(_ day: Int, _ h: Int, _ m: Int, _ s: Double = 0) -> Timestamp {
        Timestamp(microseconds: t0 + Int64(day) * 86_400_000_000 + Int64(h) * 3_600_000_000 + Int64(m) * 60_000_000 + Int64(s * 1e6))
    }

    static func login(_ t: Timestamp, _ user: String, _ ip: String, ok: Bool, method: String = "password", invalid: Bool = false, host: String = "web-01", pid: Int? = nil) -> LogEvent {
        LogEvent(timestamp: t, host: host, program: "sshd", pid: pid ?? Int.random(in: 1000...99_999), user: user, sourceIP: ip, sourcePort: 40000,
                 eventType: .login, outcome: ok ? .success : .failure, action: ok ? "accepted" : (invalid ? "invalid_user" : "failed"),
                 authMethod: method, invalidUser: invalid, message: ok ? "Accepted" : "Failed", file: "t.log", line: 1)
    }

    static func sudo(_ t: Timestamp, _ user: String, ok: Bool, action: String? = nil, command: String = "/usr/bin/systemctl restart nginx") -> LogEvent {
        LogEvent(timestamp: t, host: "web-01", program: "sudo", pid: 5, user: user, eventType: .sudo, outcome: ok ? .success : .failure,
                 action: action ?? (ok ? "command" : "incorrect_password"), targetUser: "root", command: command, message: "sudo", file: "t.log", line: 2)
    }

    static func file(_ t: Timestamp, _ user: String, _ ip: String) -> LogEvent {
        LogEvent(timestamp: t, host: "files-01", user: user, sourceIP: ip, eventType: EventType(rawValue: "file_access"), outcome: .success,
                 action: "read", message: "read /srv/x", file: "t.ndjson", line: 3)
    }

    /// Two weeks of ordinary work: alice (office, keys, 9–17), bob (admin, routine sudo), svc_backup
    /// (around the clock, keys, fixed source), a few file reads an hour.
    static func baselineEvents(days: Int = 7) -> [LogEvent] {
        var out: [LogEvent] = []
        for d in 0..<days {
            for h in 9...17 {
                out.append(login(at(d, h, 5), "alice", "10.20.1.10", ok: true, method: "publickey"))
                for k in 0..<4 { out.append(file(at(d, h, 10 + k), "alice", "10.20.1.10")) }
                out.append(login(at(d, h, 7), "bob", "10.20.1.11", ok: true, method: "publickey", host: "db-01"))
                out.append(sudo(at(d, h, 8), "bob", ok: true))
                out.append(login(at(d, h, 9), "carol", "10.8.3.\(d + 2)", ok: true, method: "publickey"))
                out.append(login(at(d, h, 11), "dave", "10.8.4.\(d + 2)", ok: true, method: "publickey"))
                out.append(login(at(d, h, 13), "erin", "10.8.5.\(d + 2)", ok: true, method: "publickey"))
            }
            for h in 0..<24 {
                out.append(login(at(d, h, 30), "svc_backup", "10.20.99.10", ok: true, method: "publickey", host: "db-01"))
            }
        }
        return out.sorted { $0.timestamp < $1.timestamp }
    }

    static let model: TriplineModel = {
        let events = baselineEvents()
        let path = (try? temporaryFile(events.map { e -> String in var w = JSONWriter(); e.writeJSON(to: &w); return String(decoding: w.bytes, as: UTF8.self) }.joined(separator: "\n"), name: "base.ndjson")) ?? "/nonexistent"
        return Trainer().train(paths: [path], reader: LogReader(options: ParseOptions(timeZone: TimeZone(identifier: "UTC")!))).0
    }()

    static func detect(_ events: [LogEvent], model: TriplineModel? = DetectorTests.model) -> [Anomaly] {
        Analysis.run(events: events.sorted { $0.timestamp < $1.timestamp }, model: model).anomalies
    }

    @Test func modelLearnsBaselines() {
        let m = Self.model
        #expect(m.users["alice"]?.sources["10.20.1.10"] != nil)
        #expect(m.users["bob"]?.sudoCount ?? 0 > 0)
        #expect(m.serviceAccounts == ["svc_backup"])
        #expect(m.forest != nil)
        #expect(m.networks["10.8.0.0/16"] ?? 0 >= 3)
    }

    /// What the detector keeps about users' baselines (read once per user) is bounded by the
    /// model, whatever names the log sends, and scores are the same with or without it: users
    /// in turn, known and unknown, from known and new addresses.
    @Test func baselineFactsAreBoundedByTheModelAndMatchTheBaseline() {
        var d = Detector(model: Self.model)
        var events: [LogEvent] = []
        for i in 0..<3000 {
            let user = i % 3 == 0 ? ["alice", "bob", "carol"][i % 9 / 3] : "spray\(i)"
            let ip = i % 2 == 0 ? "10.20.1.10" : "198.51.100.\(i % 200)"
            events.append(Self.login(Self.at(8, 3, 0, Double(i)), user, ip, ok: i % 5 == 0))
        }
        for e in events {
            d.process(e)
            let facts = d.baselineFacts(e)
            let b = e.user.flatMap { Self.model.users[$0] }
            #expect(facts.userKnown == (b != nil))
            #expect(facts.sourceKnown == FeatureExtractor.sourceKnown(e.sourceIP, baseline: b))
            for h in [0, 3, 9, 13, 23] { #expect(facts.hourShare(h) == (b?.hourShare(h) ?? 0)) }
        }
        #expect(d.userFacts.count <= Self.model.users.count, "\(d.userFacts.count) users kept; the model has \(Self.model.users.count)")
        #expect(d.userFacts.count == 3)
    }

    @Test func bruteForceIsOneIncidentWithTechniques() {
        let events = (0..<40).map { Self.login(Self.at(8, 3, 0, Double($0) * 3), "root", "203.0.113.45", ok: false) }
        let found = Self.detect(events)
        #expect(found.count == 1)
        #expect(found.first?.kind == .bruteForce && found.first?.sourceIP == "203.0.113.45")
        #expect(found.first?.techniques == ["T1110.001"])
        #expect(found.first?.eventCount == 40)
        #expect((found.first?.severity ?? .low) >= .medium)
        #expect(found.first?.start == Self.at(8, 3, 0))
    }

    /// Open incidents are held by reference inside the detector; a copy of a detector must still
    /// be a value: what one copy sees does not reach the other's incidents.
    @Test func aCopiedDetectorKeepsItsOwnOpenIncidents() {
        let events = (0..<40).map { Self.login(Self.at(8, 3, 0, Double($0) * 3), "root", "203.0.113.45", ok: false) }
        var d = Detector(model: nil)
        for e in events.prefix(20) { d.process(e) }
        #expect(d.book.open.count == 1, "the brute force is open after 20 failures")
        var copy = d
        for e in events.dropFirst(20) { copy.process(e) }
        let fromCopy = copy.finish(), fromOriginal = d.finish()
        #expect(fromCopy.map(\.eventCount) == [40])
        #expect(fromOriginal.map(\.eventCount) == [20], "the copy's 20 failures are not in the original's incident")
    }

    /// Classic syslog has whole seconds and a threaded tool fails many times per second: failures
    /// logged with the same time stamp all count (they once fell out of the opening window).
    @Test func burstInOneSecondCountsEveryFailure() {
        let events = (0..<8).map { _ in Self.login(Self.at(8, 4, 0), "root", "203.0.113.77", ok: false, pid: 4242) }
        let found = Self.detect(events)
        #expect(found.map(\.kind) == [.bruteForce])
        #expect(found.first?.eventCount == 8)
        #expect(found.first?.evidence.count == 8, "the failures before the incident opened are evidence too")
    }

    /// A model swapped in (the dashboard's R) brings its evidence limit to the incidents after it.
    @Test func aSwappedModelBringsItsEvidenceLimit() {
        var small = DetectionConfig(); small.evidenceLimit = 3
        var large = DetectionConfig(); large.evidenceLimit = 10
        var d = Detector(model: Self.model, config: small)
        d.replaceModel(Self.model, config: large)
        for i in 0..<30 { d.process(Self.login(Self.at(8, 5, 0, Double(i)), "root", "203.0.113.90", ok: false)) }
        let found = d.finish()
        #expect(found.map(\.kind) == [.bruteForce])
        #expect(found.first?.evidence.count == 10, "\(found.first?.evidence.count ?? 0)")
    }

    /// Windows keep one entry per `resolution`, so a busy server (thousands of events a second)
    /// costs no more memory than a quiet one; totals stay exact.
    @Test func slidingWindowsAreBoundedByTimeNotRate() {
        var c = SlidingCounts(resolution: 1_000_000)
        let t0: Int64 = 1_000_000_000_000
        let window: Int64 = 600_000_000
        for i in 0..<200_000 { c.add(t0 + Int64(i) * 3_000, window: window) } // 200k events in 600 s
        #expect(c.count <= 601)
        #expect(c.total == 200_000)
        c.advance(to: t0 + 900_000_000, window: window)      // drop the first 300 s
        #expect(abs(c.total - 100_000) <= 334, "exact to within one second's entries")
        #expect(c.count <= 301)
    }

    /// The newest time a sweep reads is kept beside the counts, 32 bytes in all; whatever order
    /// the events come in (late, far back, windows of either size), it is the newest entry's.
    @Test func slidingWindowsKeepTheirNewestTimeTrue() {
        #expect(MemoryLayout<SlidingCounts>.size == 32)
        var rng = SplitMix64(seed: 21)
        for resolution: Int64 in [1_000_000, 6_000_000] {
            var c = SlidingCounts(resolution: resolution)
            var t: Int64 = 1_000_000_000_000
            for _ in 0..<20_000 {
                let r = rng.next() % 100
                let at: Int64 = r < 70 ? t + Int64(rng.next() % 3_000_000) : r < 90 ? t - Int64(rng.next() % 30_000_000)
                    : r < 95 ? t - 7_200_000_000 : t + 900_000_000
                t = max(t, at)
                if rng.next() % 4 == 0 { c.advance(to: at, window: 600_000_000) } else { c.add(at, window: 600_000_000) }
                #expect(c.newest == (c.isEmpty ? nil : c.times.last))
                if c.isEmpty { #expect(c.total == 0) }
            }
        }
    }

    /// Out-of-order events land in their place; an event from another timeline (older than the
    /// newest by more than the window) starts the counts over instead of mixing the two.
    @Test func slidingWindowsTakeDisorderAndRewinds() {
        var c = SlidingCounts(resolution: 1_000_000)
        let t0: Int64 = 1_000_000_000_000
        let window: Int64 = 600_000_000
        for s in [10, 30, 20, 5, 40, 25] { c.add(t0 + Int64(s) * 1_000_000, window: window) }
        #expect(c.total == 6 && c.times == c.times.sorted(), "\(c.times)")
        #expect(c.firstTime(atOrAfter: t0 + 21_000_000) == t0 + 25_000_000)
        #expect(c.firstTime(atOrAfter: t0 + 41_000_000) == nil)
        c.advance(to: t0 + 621_000_000, window: window)    // the window now starts at 21 s
        #expect(c.total == 3, "25, 30 and 40 are left")
        c.add(t0 - 86_400_000_000, window: window)         // a day back: a new timeline
        #expect(c.total == 1 && c.count == 1)
    }

    @Test func typosThenSuccessStayQuiet() {
        let events = [Self.login(Self.at(8, 10, 0), "alice", "10.20.1.10", ok: false),
                      Self.login(Self.at(8, 10, 0, 5), "alice", "10.20.1.10", ok: false),
                      Self.login(Self.at(8, 10, 0, 12), "alice", "10.20.1.10", ok: true)]
        #expect(Self.detect(events).isEmpty)
    }

    @Test func sprayingAndEnumerationAreTold() {
        let users = (0..<15).map { "user\($0)" }
        let spray = users.enumerated().map { Self.login(Self.at(8, 2, $0.offset), $0.element, "198.51.100.7", ok: false) }
        #expect(Self.detect(spray, model: nil).map(\.kind) == [.passwordSpraying])
        let names = ["admin", "test", "oracle", "pi", "git", "ubuntu", "guest", "ftp", "mysql", "www"]
        let enumeration = names.enumerated().map { Self.login(Self.at(8, 2, 0, Double($0.offset) * 5), $0.element, "198.51.100.8", ok: false, invalid: true) }
        #expect(Self.detect(enumeration, model: nil).map(\.kind) == [.userEnumeration])
    }

    @Test func slowBruteForceOverHours() {
        var events: [LogEvent] = []
        for h in 0..<6 { for k in 0..<3 { events.append(Self.login(Self.at(8, h, k * 17), "root", "192.0.2.99", ok: false)) } }
        let found = Self.detect(events)
        #expect(found.map(\.kind) == [.slowBruteForce])
    }

    @Test func successAfterFailuresIsCritical() {
        var events = (0..<8).map { Self.login(Self.at(8, 4, 0, Double($0) * 4), "alice", "203.0.113.9", ok: false) }
        events.append(Self.login(Self.at(8, 4, 1), "alice", "203.0.113.9", ok: true))
        let found = Self.detect(events)
        let saf = found.first { $0.kind == .successAfterFailures }
        #expect(saf?.user == "alice" && saf?.severity == .critical)
        #expect(found.contains { $0.kind == .bruteForce })
    }

    @Test func takeoverFromANewPlaceAtNightButNotANewVPNLease() {
        let bad = [Self.login(Self.at(8, 3, 10), "alice", "185.220.101.4", ok: true, method: "password"),
                   Self.sudo(Self.at(8, 3, 12), "alice", ok: false, action: "not_in_sudoers", command: "/bin/cat /etc/shadow")]
        let found = Self.detect(bad)
        let takeover = found.first { $0.kind == .accountTakeover }
        #expect(takeover?.user == "alice")
        #expect((takeover?.severity ?? .low) >= .high, "the follow-up raises it: \(takeover?.reasons ?? [])")
        // carol's new VPN address in the day: nothing.
        #expect(Self.detect([Self.login(Self.at(8, 11, 0), "carol", "10.8.9.200", ok: true, method: "publickey")]).isEmpty)
    }

    @Test func privilegeEscalationButNotRoutineSudoOrATypo() {
        #expect(Self.detect([Self.sudo(Self.at(8, 11, 0), "alice", ok: false, action: "not_in_sudoers", command: "/bin/bash")]).map(\.kind) == [.privilegeEscalation])
        #expect(Self.detect([Self.sudo(Self.at(8, 11, 0), "bob", ok: true)]).isEmpty)
        let typo = [LogEvent(timestamp: Self.at(8, 11, 0), host: "db-01", program: "sudo", user: "bob", eventType: .sudo, outcome: .failure, action: "pam_auth_failure", message: "pam"),
                    Self.sudo(Self.at(8, 11, 0, 9), "bob", ok: true)]
        #expect(Self.detect(typo).isEmpty)
    }

    @Test func serviceAccountUsedInteractively() {
        let events = [Self.login(Self.at(8, 14, 0), "svc_backup", "10.20.47.3", ok: true, method: "password", host: "files-01"),
                      Self.sudo(Self.at(8, 14, 2), "svc_backup", ok: true, command: "/bin/bash")]
        let found = Self.detect(events)
        #expect(found.map(\.kind) == [.serviceAccountMisuse])
        // Its usual job is quiet.
        #expect(Self.detect([Self.login(Self.at(8, 3, 30), "svc_backup", "10.20.99.10", ok: true, method: "publickey", host: "db-01")]).isEmpty)
    }

    @Test func bulkDataAccessAgainstTheUsersOwnVolume() {
        let events = (0..<600).map { Self.file(Self.at(8, 11, 0, Double($0) * 3), "alice", "10.20.1.10") }
        let found = Self.detect(events)
        #expect(found.map(\.kind) == [.bulkDataAccess])
        #expect(found.first?.eventCount == 600, "every access in the window, those before the incident opened included")
        // Her usual handful is not.
        #expect(Self.detect((0..<6).map { Self.file(Self.at(8, 11, $0), "alice", "10.20.1.10") }).isEmpty)
    }

    @Test func streamingLineByLineMatchesTheWholeFile() throws {
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { root.deleteLastPathComponent() }
        let logs = root.appendingPathComponent("test_logs/auth.log").path
        let reader = LogReader(options: ParseOptions(timeZone: TimeZone(identifier: "UTC")!))
        var cfg = DetectionConfig()
        cfg.baselineDays = 1
        let (model, _) = Trainer(config: cfg).train(paths: [logs], reader: reader)
        let whole = Analysis.run(paths: [logs], reader: reader, model: model).anomalies
        var detector = Detector(model: model)
        detector.reportsChanges = true
        var live: [String: Anomaly] = [:]
        _ = reader.read(path: logs) { e in
            detector.process(e)
            for a in detector.drainChanges() { live[a.id] = a }
        }
        let final = detector.finish()
        for a in detector.drainChanges() { live[a.id] = a }
        #expect(!whole.isEmpty)
        #expect(final == whole)
        #expect(Set(live.keys) == Set(whole.map(\.id)), "every anomaly was published while streaming")
    }

    /// Changes are noted only for a detector that asks (a live view drains them): by default
    /// none are, so an analysis or a training never piles them up.
    @Test func changesAreNotedOnlyWhenAsked() {
        func run(_ reports: Bool) -> Int {
            var d = Detector(model: nil)
            d.reportsChanges = reports
            for i in 0..<30 {
                let t = Timestamp(microseconds: 1_768_039_200_000_000 + Int64(i) * 2_000_000)
                d.process(LogEvent(timestamp: t, host: "web", program: "sshd", pid: i, user: "root", sourceIP: "203.0.113.9",
                                   eventType: .login, outcome: .failure, action: "failed", authMethod: "password",
                                   invalidUser: false, message: "x", file: "f", line: i + 1))
            }
            return d.drainChanges().count
        }
        #expect(Detector(model: nil).reportsChanges == false)
        #expect(run(false) == 0)
        #expect(run(true) > 0, "a brute force from one address opens an incident")
    }

    @Test func memoryStaysBoundedOnEndlessInput() {
        var d = Detector(model: Self.model)
        var maxSources = 0, maxUsers = 0
        for i in 0..<80_000 {
            let t = Self.at(10, 0, 0, Double(i) * 5)
            let ip = "198.\(18 + i / 62_500).\(i / 250 % 250).\(i % 250)"
            d.process(Self.login(t, "u\(i)", ip, ok: i % 3 != 0))
            maxSources = max(maxSources, d.sources.count)
            maxUsers = max(maxUsers, d.users.count)
        }
        // 80,000 events over 4.6 days, each from a new address and a new name, a third of them
        // failures (sources) and two thirds logins (users): state is kept for the windows (a day
        // for sources: 5,760 failures; two hours for users: 960 logins) and collected at most
        // every 20,000 events (checked each minute of log time: 12 events more), not for ever
        // (that would be 26,667 sources and 53,333 users).
        #expect(maxSources <= 5_760 + 6_667 + 12)
        #expect(maxUsers <= 960 + 13_334 + 12)
        #expect(d.book.open.count < 1000)
    }
}

/// Many people behind one address (an office NAT, a proxy): their typos are not an attack.
@Suite struct SharedAddressTests {
    @Test func anOfficeNATsTyposDoNotAddUpButAnAttackerBehindItStillDoes() {
        var events: [LogEvent] = []
        // 40 people, each one typo then a key-less login a minute later, spread over a working day.
        for i in 0..<40 {
            let h = 8 + i / 4, m = (i % 4) * 14
            events.append(DetectorTests.login(DetectorTests.at(8, h, m), "user\(i)", "10.20.0.1", ok: false))
            events.append(DetectorTests.login(DetectorTests.at(8, h, m + 1), "user\(i)", "10.20.0.1", ok: true))
        }
        #expect(DetectorTests.detect(events, model: nil).isEmpty, "\(DetectorTests.detect(events, model: nil).map(\.kind))")

        // Someone behind the same address tries one account a few times an hour through the
        // night, while a colleague's script logs in from there: only the account that got in is forgiven.
        var attack: [LogEvent] = []
        for h in 0..<6 {
            for m in [5, 25, 45] {
                attack.append(DetectorTests.login(DetectorTests.at(8, h, m, 30), "payroll", "10.20.0.1", ok: false))
                attack.append(DetectorTests.login(DetectorTests.at(8, h, m + 1), "user0", "10.20.0.1", ok: true))
            }
        }
        let found = DetectorTests.detect(attack, model: nil)
        #expect(found.map(\.kind) == [.slowBruteForce, .successAfterFailures], "\(found.map(\.kind))")
        let slow = found.first { $0.kind == .slowBruteForce }
        #expect(slow?.details["failures"]?.numberValue == 18, "every attempt, from the first: \(slow?.details ?? [:])")
        #expect(slow?.start == DetectorTests.at(8, 0, 5, 30), "it starts with the first attempt")
        #expect(found.last?.user == "user0", "a login from an address under attack is told")
    }
}

extension DetectorTests {
    /// An address that guessed passwords hours ago (outside success-after-failures' hour) and now
    /// logs in to an account that never used it.
    @Test func aLoginFromAnAddressThatWasGuessingIsATakeover() {
        var events: [LogEvent] = []
        for (i, name) in ["admin", "test", "oracle", "alice", "dave"].enumerated() {
            events.append(Self.login(Self.at(8, 2, i * 7), name, "198.51.100.66", ok: false))
        }
        events.append(Self.login(Self.at(8, 10, 30), "alice", "198.51.100.66", ok: true, method: "publickey"))
        let found = Self.detect(events)
        #expect(found.contains { $0.kind == .accountTakeover && $0.user == "alice" }, "\(found.map { "\($0.kind) \($0.user ?? "-")" })")
        // The same login without the guessing before is a new address in office hours: watched, not told.
        #expect(Self.detect([Self.login(Self.at(8, 10, 30), "alice", "198.51.100.66", ok: true, method: "publickey")]).isEmpty)
    }
}

extension DetectorTests {
    /// An admin on a new VPN address, in their usual hours, mistypes the sudo password once and
    /// opens a root shell as they do every day: nothing to tell.
    @Test func anAdminsRoutineShellFromANewVPNAddressIsQuiet() {
        let events = [Self.login(Self.at(8, 10, 0), "bob", "172.16.50.9", ok: true, method: "publickey", host: "db-01"),
                      Self.sudo(Self.at(8, 10, 1), "bob", ok: false, action: "pam_auth_failure", command: "/bin/bash"),
                      Self.sudo(Self.at(8, 10, 1, 20), "bob", ok: true, command: "/bin/bash")]
        #expect(Self.detect(events).isEmpty, "\(Self.detect(events).map { "\($0.kind) \($0.reasons)" })")
        // Someone who never used sudo doing the same from a new address is told.
        let stranger = [Self.login(Self.at(8, 10, 0), "alice", "172.16.50.9", ok: true, method: "publickey"),
                        Self.sudo(Self.at(8, 10, 1), "alice", ok: true, command: "/bin/bash")]
        #expect(Self.detect(stranger).contains { $0.user == "alice" }, "\(Self.detect(stranger).map(\.kind))")
    }
}
