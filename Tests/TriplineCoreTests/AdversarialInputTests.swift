import Foundation
import Testing
import TriplineTestSupport
@testable import TriplineCore

/// Input chosen by the people Tripline watches: every shape here once made it hang, or made one
/// line cost more the more lines came before it. Each test asserts growth (8x the input costs at
/// most about 12x the time, see ``Growth``) or termination, never a wall-clock limit.
@Suite(.serialized) struct AdversarialInputTests {
    static let limit = 12.0

    /// An RFC 3339 syslog line at `second` seconds after 2026-01-10T10:00:00Z.
    static func line(_ second: Int, _ message: String, host: String = "web", pid: Int = 1000) -> String {
        let t = Timestamp(microseconds: 1_768_039_200_000_000 + Int64(second) * 1_000_000)
        return "\(t.iso8601) \(host) sshd[\(pid)]: \(message)\n"
    }

    /// The time one run of the detector over `text` takes (parsing included).
    static func detection(_ text: String, model: TriplineModel? = nil) -> () -> Void {
        let bytes = Array(text.utf8)
        return {
            var d = Detector(model: model)
            _ = LogReader().read(bytes: bytes, name: "attack.log") { d.process($0) }
            _ = d.finish()
        }
    }

    static func name(_ rng: inout SplitMix64) -> String {
        let letters = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        return String((0..<10).map { _ in letters[Int(rng.next() % UInt64(letters.count))] })
    }

    static func address(_ rng: inout SplitMix64) -> String {
        let v = rng.next()
        return "\(1 + v % 223).\((v >> 8) % 256).\((v >> 16) % 256).\(1 + (v >> 24) % 254)"
    }

    /// `n` sshd lines, 50 a second, the message of line `i` made by `message` from a seeded generator.
    static func flood(_ n: Int, seed: UInt64, _ message: (Int, inout SplitMix64) -> String) -> String {
        var rng = SplitMix64(seed: seed)
        var text = ""
        for i in 0..<n { text += line(i / 50, message(i, &rng), pid: 1000 + i) }
        return text
    }

    static func enumeration(_ n: Int, seed: UInt64) -> String {
        flood(n, seed: seed) { i, rng in "Invalid user \(name(&rng)) from 203.0.113.7 port \(1024 + i)" }
    }

    static func expectLinear(_ what: String, n: Int, _ input: (Int) -> () -> Void) {
        let r = Growth.ratio(n: n, input)
        print("growth \(what): 8x the input, \(String(format: "%.1f", r.ratio))x the CPU time")
        #expect(r.ratio <= limit, "\(what): 8x the input took \(String(format: "%.1f", r.ratio))x the time (\(r.small) s → \(r.large) s)")
    }

    /// Many attacks open at once for hours (slow brute forces from n/40 addresses taking turns,
    /// a line every 2 s): closing quiet incidents must not look at every open one each minute
    /// of log time (8x the lines over 8x the time with 8x the open incidents once cost 60x).
    @Test func manyAttacksOpenForHours() {
        Self.expectLinear("many open attacks", n: 4000) { n in
            let sources = n / 40
            var text = ""
            for i in 0..<n {
                text += Self.line(i * 2, "Failed password for root from 198.18.\((i % sources) / 250).\((i % sources) % 250 + 1) port \(1024 + i % 60000) ssh2", pid: 1000 + i)
            }
            return Self.detection(text)
        }
    }

    /// `Invalid user <random> from ONE_ADDRESS`: the incident's accounts grow with every line; each
    /// line must still cost the same (it once re-sorted every name tried: 20k lines took 36 s).
    @Test func randomNamesFromOneAddress() {
        Self.expectLinear("random names, one address", n: 1500) { n in Self.detection(Self.enumeration(n, seed: 1)) }
    }

    /// The incident stays bounded and its counts right however many names are tried.
    @Test func anEnumerationFloodIsCountedInBoundedMemory() {
        let n = 6000
        let text = Self.enumeration(n, seed: 2)
        var d = Detector(model: nil)
        _ = LogReader().read(bytes: Array(text.utf8), name: "attack.log") { d.process($0) }
        let open = d.book.open.values.first { $0.incident.anomaly.sourceIP == "203.0.113.7" }?.incident
        #expect(open?.accounts.attempts.count == AccountTally.nameLimit, "names kept one by one are capped")
        let found = d.finish()
        #expect(found.map(\.kind) == [.userEnumeration])
        let distinct = found.first?.details["invalid_users"]?.numberValue ?? 0
        #expect(abs(distinct - Double(n)) / Double(n) < 0.1, "about \(n) names, estimated \(distinct)")
        #expect(found.first?.reasons.first?.contains("about") == true, "\(found.first?.reasons ?? [])")
    }

    /// `Failed password for root from <random address>`: a table per address, none of them busy.
    @Test func oneNameFromRandomAddresses() {
        Self.expectLinear("one name, random addresses", n: 1500) { n in
            Self.detection(Self.flood(n, seed: 3) { i, rng in "Failed password for root from \(Self.address(&rng)) port \(1024 + i) ssh2" })
        }
    }

    /// The two floods above past limits that grow with them (an eighth of the lines), so that
    /// the tables are cut back to half again and again (at the sizes above, under the real
    /// limits, they never fill). 8x the lines with 8x the room must cost about 8x: a cut must
    /// cost in proportion to what it lets go of, names that all tie at the cut included (they
    /// were sorted at every cut; a cut that let go of too little would make each new key cost
    /// the whole table, and the larger table 64x).
    @Test(arguments: ["names", "addresses"])
    func cutBacksStayLinear(shape: String) {
        Self.expectLinear("cut-backs, \(shape)", n: 6000) { n in
            let text = shape == "names" ? Self.enumeration(n, seed: 5)
                : Self.flood(n, seed: 6) { i, rng in "Failed password for root from \(Self.address(&rng)) port \(1024 + i) ssh2" }
            let bytes = Array(text.utf8)
            return {
                var d = Detector(model: nil)
                d.limits = .init(sources: n / 8, users: n / 8)
                d.windows.maxKeys = n / 8
                _ = LogReader().read(bytes: bytes, name: "attack.log") { d.process($0) }
                _ = d.finish()
            }
        }
    }

    /// A detector with every table an attacker can fill held to `bound` keys, keeping no
    /// closed incidents (as a live view).
    static func boundedDetector(_ bound: Int) -> Detector {
        var d = Detector(model: nil)
        d.limits = .init(sources: bound, users: bound)
        d.windows.maxKeys = bound
        d.keepsClosedIncidents = false
        d.reportsChanges = true // as a live view has it
        return d
    }

    /// Random addresses and names without end (a live view runs for weeks): every table the
    /// detector keeps stays under its limit, and a live view keeps no closed incidents.
    @Test func tablesStayBoundedUnderACardinalityFlood() {
        var d = Self.boundedDetector(2000)
        var rng = SplitMix64(seed: 4)
        var largest = 0
        for i in 0..<30_000 {
            let t = Timestamp(microseconds: 1_768_039_200_000_000 + Int64(i) * 10_000)
            let ip = Self.address(&rng)
            d.process(LogEvent(timestamp: t, host: "web", program: "sshd", pid: i, user: Self.name(&rng), sourceIP: ip, eventType: .login,
                               outcome: i % 3 == 0 ? .success : .failure, action: i % 3 == 0 ? "accepted" : "failed", authMethod: "password",
                               invalidUser: false, message: "x", file: "f", line: i + 1))
            largest = max(largest, d.sources.count, d.users.count, d.windows.keyCount)
            _ = d.drainChanges()
        }
        #expect(largest <= 2001, "a table grew to \(largest)")
        #expect(d.book.closed.isEmpty)
    }

    /// A botnet past every limit (open incidents, failures kept one by one, sources): each
    /// address's six failures still make one whole incident, the same as with no limits,
    /// while what is held stays within them. (A source that had just begun was the weakest
    /// at a cut, by its one failure, and lost it; incidents were held open for their whole gap,
    /// thousands at once, and each source's failures for two hours.)
    @Test func aBotnetPastEveryLimitLosesNoFailure() {
        func run(_ limits: Detector.Limits) -> (anomalies: [Anomaly], open: Int, failures: Int, sources: Int) {
            var d = Detector(model: nil)
            d.limits = limits
            var most = (open: 0, failures: 0, sources: 0)
            for a in 0..<4_000 {
                let ip = "198.51.\(a / 200).\(a % 200)"
                for k in 0..<6 {
                    let i = a * 6 + k
                    let t = Timestamp(microseconds: 1_768_039_200_000_000 + Int64(i) * 100_000)
                    d.process(LogEvent(timestamp: t, host: "web", program: "sshd", pid: i, user: "root", sourceIP: ip, eventType: .login,
                                       outcome: .failure, action: "failed", authMethod: "password", invalidUser: false,
                                       message: "Failed password for root from \(ip) port 22 ssh2", file: "f", line: i + 1))
                    most = (max(most.open, d.book.openCount), max(most.failures, d.failuresHeld), max(most.sources, d.sources.count))
                }
            }
            #expect(d.failuresHeld == d.failuresKept, "the count followed as failures come and go is the count")
            return (d.finish(), most.open, most.failures, most.sources)
        }
        let free = run(.init(sources: 1 << 20, users: 1 << 20, openIncidents: 1 << 20, failures: 1 << 20))
        let tight = run(.init(sources: 767, users: 767, openIncidents: 64, failures: 600))
        #expect(free.anomalies.count == 4_000)
        #expect(free.anomalies.allSatisfy { $0.eventCount == 6 })
        #expect(free.open > 1_000 && free.failures > 10_000 && free.sources == 4_000, "the limits below are passed: \(free)")
        let short = tight.anomalies.filter { $0.eventCount != 6 }.map { "\($0.sourceIP ?? "?"): \($0.eventCount)" }
        #expect(short.isEmpty, "incidents short of failures: \(short.prefix(5)) (\(short.count))")
        let same = tight.anomalies == free.anomalies // (compared apart: thousands of anomalies to print)
        #expect(same, "\(tight.anomalies.count) anomalies within the limits, \(free.anomalies.count) without")
        #expect(tight.open <= 65, "\(tight.open) incidents open at once")
        #expect(tight.failures <= 601, "\(tight.failures) failures kept")
        #expect(tight.sources <= 768, "\(tight.sources) sources")
    }

    /// A short brute force from a new address every minute for ten hours (a botnet): each
    /// address is remembered for the slow window, but its failures one by one only while a
    /// window (or a line as late as a host's clock allows) can still count them. They were kept
    /// until the address failed again, which it never did: tens of megabytes for 60,000.
    @Test func finishedAttacksLetGoOfTheirFailures() {
        var d = Detector(model: nil)
        d.keepsClosedIncidents = false
        d.reportsChanges = true
        var rng = SplitMix64(seed: 9)
        let minutes = 600
        for m in 0..<minutes {
            let ip = Self.address(&rng)
            for k in 0..<6 {
                let t = Timestamp(microseconds: 1_768_039_200_000_000 + Int64(m * 60 + k * 5) * 1_000_000)
                d.process(LogEvent(timestamp: t, host: "web", program: "sshd", pid: m * 10 + k, user: "root", sourceIP: ip, eventType: .login,
                                   outcome: .failure, action: "failed", authMethod: "password", invalidUser: false,
                                   message: "Failed password for root from \(ip) port 22 ssh2", file: "f", line: m * 6 + k + 1))
            }
            _ = d.drainChanges()
        }
        d.collect()
        #expect(d.sources.count == minutes, "every address stays for the slow window")
        // The spray window (1 h) and the late-line allowance (1 h): about 120 addresses' worth,
        // not 600.
        #expect(d.failuresKept <= 6 * 130, "\(d.failuresKept) failures kept one by one")
        #expect(d.failuresKept >= 6 * 60, "the last hour's failures must stay: \(d.failuresKept)")
    }

    /// One attempt per connection for hours (new pid each time): the connections remembered to
    /// count an attempt's lines once are those of the last ten minutes or so, per host; a host
    /// whose clock is two hours behind keeps its own and still counts each attempt once.
    @Test func connectionsAreForgottenByTheirOwnHostsTime() {
        var w = DetectionWindows()
        var largest = 0
        var lateWeight = 0.0
        func pair(_ i: Int, host: String, lag: Int64) -> (LogEvent, LogEvent) {
            let t = Timestamp(microseconds: 1_768_039_200_000_000 + (Int64(i) - lag) * 1_000_000)
            let invalid = LogEvent(timestamp: t, host: host, program: "sshd", pid: i, user: "u\(i)", sourceIP: "198.51.100.9", eventType: .login,
                                   outcome: .failure, action: "invalid_user", authMethod: nil, invalidUser: true,
                                   message: "Invalid user u\(i) from 198.51.100.9 port 22", file: "f", line: i)
            let failed = LogEvent(timestamp: t, host: host, program: "sshd", pid: i, user: "u\(i)", sourceIP: "198.51.100.9", eventType: .login,
                                  outcome: .failure, action: "failed", authMethod: "password", invalidUser: true,
                                  message: "Failed password for invalid user u\(i) from 198.51.100.9 port 22 ssh2", file: "f", line: i)
            return (invalid, failed)
        }
        // One connection a second on each host for 11 hours; the lagging host's two lines of
        // an attempt have the other host's lines (and the sweeps they cause) between them.
        for i in 0..<40_000 {
            let (oldInvalid, oldFailed) = pair(i, host: "old", lag: 7200)
            let (webInvalid, webFailed) = pair(i, host: "web", lag: 0)
            let a = w.observe(oldInvalid).failureWeight
            _ = w.observe(webInvalid)
            _ = w.observe(webFailed)
            let b = w.observe(oldFailed).failureWeight
            if i >= 30_000 { lateWeight += a + b }
            largest = max(largest, w.attemptsKept)
        }
        #expect(largest < 8192, "\(largest) connections remembered")
        #expect(lateWeight == 10_000, "the lagging host's last 10,000 attempts weigh \(lateWeight), not one each")
    }

    /// A flood of connections, fifty and then a hundred a second, each its own: the table of
    /// connections stays within its limit and its 32,768 slots (it was swept at twice what it
    /// kept, to 65,536 slots, and then at 30,000 connections, one table size too many), and
    /// each connection's two lines still weigh one attempt.
    @Test(arguments: [20_000, 10_000] as [Int64])
    func aFloodOfConnectionsStaysWithinTheLimit(microsApart: Int64) {
        var w = DetectionWindows()
        var largest = 0, room = 0, weight = 0.0
        for i in 0..<120_000 {
            let t = Timestamp(microseconds: 1_768_039_200_000_000 + Int64(i) * microsApart)
            let invalid = LogEvent(timestamp: t, host: "web", program: "sshd", pid: i, user: "u\(i % 5000)", sourceIP: "198.51.100.9",
                                   eventType: .login, outcome: .failure, action: "invalid_user", authMethod: nil, invalidUser: true,
                                   message: "Invalid user u from 198.51.100.9 port 22", file: "f", line: 2 * i)
            let failed = LogEvent(timestamp: t, host: "web", program: "sshd", pid: i, user: "u\(i % 5000)", sourceIP: "198.51.100.9",
                                  eventType: .login, outcome: .failure, action: "failed", authMethod: "password", invalidUser: true,
                                  message: "Failed password for invalid user u from 198.51.100.9 port 22 ssh2", file: "f", line: 2 * i + 1)
            weight += w.observe(invalid).failureWeight
            weight += w.observe(failed).failureWeight
            largest = max(largest, w.attemptsKept)
            room = max(room, w.attemptsRoom)
        }
        #expect(largest <= DetectionWindows.attemptsMost, "\(largest) connections remembered")
        #expect(largest > DetectionWindows.attemptsMost / 2, "the flood reached the limit")
        #expect(room <= 24_576, "a table with room for \(room) connections")
        #expect(weight == 120_000, "120,000 attempts weigh \(weight)")
    }

    /// A realistic stretch of a server's log: brute forces, spraying, logins, sudo.
    static func block(offset: Int, copy: Int) -> String {
        var text = ""
        var rng = SplitMix64(seed: UInt64(copy % 7) + 10)
        for i in 0..<300 {
            let s = offset + i * 12
            switch i % 6 {
            case 0, 1: text += line(s, "Failed password for root from 198.51.100.\(i % 5) port \(2000 + i) ssh2", pid: 2000 + i)
            case 2: text += line(s, "Failed password for invalid user \(name(&rng)) from 192.0.2.9 port \(3000 + i) ssh2", pid: 3000 + i)
            case 3: text += line(s, "Accepted publickey for deploy from 10.0.0.\(i % 3) port \(4000 + i) ssh2", pid: 4000 + i)
            case 4: text += line(s, "Failed password for user\(i % 40) from 203.0.113.50 port \(5000 + i) ssh2", pid: 5000 + i)
            default: text += line(s, "Accepted password for alice from 10.0.1.5 port \(6000 + i) ssh2", pid: 6000 + i)
            }
        }
        return text
    }

    /// The same hour of log again and again, time jumping back at each copy (a log read twice,
    /// several hosts' files one after the other): as cheap per line as the copies in time order.
    @Test func timeRunningBackwards() {
        Self.expectLinear("time running backwards", n: 8) { n in
            Self.detection((0..<n).map { Self.block(offset: 0, copy: $0) }.joined())
        }
        let copies = 16
        let forwards = Growth.best(Self.detection((0..<copies).map { Self.block(offset: $0 * 86_400, copy: $0) }.joined()))
        let backwards = Growth.best(Self.detection((0..<copies).map { Self.block(offset: 0, copy: $0) }.joined()))
        #expect(backwards / forwards <= 3, "time running backwards cost \(String(format: "%.1f", backwards / forwards))x the same lines in order")
    }

    /// Lines out of order by seconds to minutes (hosts interleaved in one stream).
    @Test func timeSlightlyOutOfOrder() {
        Self.expectLinear("slight disorder", n: 12) { n in
            var text = ""
            for c in 0..<n {
                let lines = Self.block(offset: c * 3600, copy: c).split(separator: "\n")
                // Every pair of neighbours swapped (12 s apart).
                for i in stride(from: 0, to: lines.count - 1, by: 2) { text += lines[i + 1] + "\n" + lines[i] + "\n" }
            }
            return Self.detection(text)
        }
    }

    /// Every line out of order by up to days (a log shuffled, many hosts' files concatenated in
    /// any order), through the reorder window and scored by a trained forest: each line rewinds
    /// its host's clock, is late for the window and lands anywhere in the forest's memo. Still
    /// linear, and the forest's scores come from a table that stays within its bound.
    @Test func everyLineOutOfOrderWithAModel() {
        let training = (0..<4).map { Self.block(offset: $0 * 86_400, copy: $0) }.joined()
        var events: [LogEvent] = []
        _ = LogReader().read(bytes: Array(training.utf8), name: "train.log") { events.append($0) }
        let model = Trainer().train(events: events, label: "shuffled")
        let compiled = model.forest.map(CompiledForest.init)
        #expect(compiled != nil, "the model has a forest to score with")
        Self.expectLinear("every line out of order, with a model", n: 3) { n in
            var lines = (0..<n).flatMap { c in Self.block(offset: c * 86_400, copy: c).split(separator: "\n").map(String.init) }
            var rng = SplitMix64(seed: 9)
            for i in stride(from: lines.count - 1, to: 0, by: -1) { lines.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
            let bytes = Array((lines.joined(separator: "\n") + "\n").utf8)
            return {
                let a = Analysis.run(bytes: bytes, name: "shuffled.log", reader: LogReader(), model: model, compiled: compiled)
                precondition(a.eventsScored > 0)
            }
        }
    }

    /// A replayed timeline closes the old one's incidents and finds the same attacks again.
    /// (The copies here are an hour long, so the second goes back by less than a host's clock
    /// allows a late line: it is the same timeline, out of order. ``aLogReadAgainAndAgain()``
    /// goes back by more.)
    @Test func aRewoundHostStartsANewTimeline() {
        let once = Self.block(offset: 0, copy: 0)
        var d1 = Detector(model: nil)
        _ = LogReader().read(bytes: Array(once.utf8), name: "a.log") { d1.process($0) }
        let single = d1.finish()
        var d2 = Detector(model: nil)
        _ = LogReader().read(bytes: Array((once + once).utf8), name: "a.log") { d2.process($0) }
        let twice = d2.finish()
        #expect(!single.isEmpty)
        #expect(twice.count >= single.count, "the second copy's attacks are found again: \(single.count) then \(twice.count)")
        #expect(twice.allSatisfy { $0.lastSeen.microseconds - $0.start.microseconds < 2 * 3_600_000_000 }, "no incident spans both timelines")
    }

    /// A server's log read again and again (the same file given twice, a replayed day), two
    /// hours long, one address hammering 240 passwords in four minutes in each copy: each copy
    /// goes back further than a late line may, so its host starts a new timeline, and each is
    /// found as the first was, one brute force of 240 failures, at the same cost. When a
    /// source's failures outlived its host's timeline, each copy's were squeezed in after the
    /// last copy's (up to 4,000), every new incident took them all in as its own, and the
    /// incidents grew copy after copy (64 copies of loghub's OpenSSH sample took 13 times as
    /// long as 8, and came out with critical brute forces and slow ones the sample has not).
    @Test func aLogReadAgainAndAgain() {
        var copy = ""
        for i in 0..<240 {
            copy += Self.line(i, "Failed password for root from 198.51.100.77 port \(2000 + i) ssh2", pid: 2000 + i)
        }
        // Two hours later, the day goes on (a lone line hours ahead, followed by lines back at
        // the old time, would be a stray: see TimeJumpTests).
        for i in 0..<10 { copy += Self.line(7200 + i, "Accepted publickey for deploy from 10.0.0.1 port \(4000 + i) ssh2", pid: 4000 + i) }
        Self.expectLinear("a log read again and again", n: 8) { n in Self.detection(String(repeating: copy, count: n)) }
        var d = Detector(model: nil)
        _ = LogReader().read(bytes: Array(String(repeating: copy, count: 20).utf8), name: "a.log") { d.process($0) }
        let found = d.finish()
        #expect(found.count == 20 && Set(found.map(\.eventCount)) == [240] && Set(found.map(\.severity)).count == 1,
                "one brute force of 240 failures per copy, each alike: \(found.map { "\($0.eventCount) \($0.severity)" })")
    }

    /// An attacker who can write lines for the host (a syslog server that keeps the senders'
    /// timestamps) sends one stamped two hours back after every third password it tries: each
    /// takes the host's time back, a new timeline, which closes its incidents, but the attack's
    /// own failures go on forward in time and keep their windows: every failure is still counted
    /// in a brute force.
    @Test func linesStampedHoursBackDoNotWipeAnAttack() {
        var text = ""
        for i in 0..<60 {
            text += Self.line(7200 + 2 * i, "Failed password for root from 198.51.100.66 port \(2000 + i) ssh2", pid: 2000 + i)
            if i % 3 == 2 { text += Self.line(2 * i, "Connection closed by 10.0.0.1 port 22 [preauth]", pid: 9000 + i) }
        }
        var d = Detector(model: nil)
        _ = LogReader().read(bytes: Array(text.utf8), name: "a.log") { d.process($0) }
        let attack = d.finish().filter { $0.sourceIP == "198.51.100.66" }
        #expect(attack.contains { $0.kind == .bruteForce }, "\(attack.map { "\($0.kind) \($0.eventCount)" })")
        #expect(attack.reduce(0) { $0 + $1.eventCount } >= 55, "the failures are counted: \(attack.map { "\($0.kind) \($0.eventCount)" })")
    }

    /// `sudo` refused again and again for one user.
    @Test func privilegeFlood() {
        Self.expectLinear("sudo refusals", n: 1500) { n in
            var text = ""
            for i in 0..<n {
                let t = Timestamp(microseconds: 1_768_039_200_000_000 + Int64(i) * 100_000)
                text += "\(t.iso8601) web sudo[\(i)]:      bob : 3 incorrect password attempts ; TTY=pts/0 ; PWD=/home/bob ; USER=root ; COMMAND=/bin/sh\n"
            }
            return Self.detection(text)
        }
    }

    /// `message repeated 1000 times: [ … ]` is one event with a count: a line of it costs what a
    /// plain line costs, and it is weighed as the failures it stands for.
    @Test func repeatedMessageBombs() {
        let n = 2000
        var bombs = "", plain = ""
        for i in 0..<n {
            bombs += Self.line(i, "message repeated 1000 times: [ Failed password for root from 198.51.100.\(i % 200) port 22 ssh2]", pid: i)
            plain += Self.line(i, "Failed password for root from 198.51.100.\(i % 200) port 22 ssh2", pid: i)
        }
        let bomb = Growth.best(Self.detection(bombs)), line = Growth.best(Self.detection(plain))
        #expect(bomb / line < 3, "a repeated line cost \(String(format: "%.1f", bomb / line))x a plain one")
        var d = Detector(model: nil)
        var events = 0
        _ = LogReader().read(bytes: Array(bombs.utf8), name: "a.log") { events += 1; d.process($0) }
        #expect(events == n)
        #expect(d.eventsProcessed == n * 1000, "the detector counts the events the lines stand for")
        #expect(d.finish().contains { $0.kind == .bruteForce })
    }

    /// JSON documents that once looped for ever or could: each ends, with its bad parts counted.
    @Test(.timeLimit(.minutes(1))) func hostileJSONShapesEnd() throws {
        let shapes: [String] = [
            #"[{"timestamp":"2026-01-01T00:00:00Z","user":"a"}}]"#,
            #"[}}}}}}"#,
            #"[{"timestamp":"2026-01-01T00:00:00Z"},}"#,
            #"{"logs": [}]}"#,
            #"[{"a":"\"#,
            #"[""#,
            String(repeating: "[", count: 100_000),
            "[" + String(repeating: "{", count: 100_000),
            "[" + String(repeating: "}", count: 100_000) + "]",
            #"[{"timestamp":"2026-01-01T00:00:00Z","user":"a"}"# + String(repeating: ",", count: 10_000),
        ]
        for s in shapes {
            var events = 0
            let summary = LogReader(format: .json).read(bytes: Array(s.utf8), name: "hostile.json") { _ in events += 1 }
            #expect(summary.problemLines > 0 || events > 0, "\(s.prefix(40)): nothing counted")
        }
        Self.expectLinear("stray closing brackets", n: 20_000) { n in
            let doc = Array(("[" + String(repeating: "}", count: n) + "]").utf8)
            return { _ = LogReader(format: .json).read(bytes: doc, name: "h.json") { _ in } }
        }
    }
}

/// Windows slide: a burst is counted in the ten minutes it happened in, wherever the clock's
/// ten-minute marks fall.
@Suite struct SlidingWindowTests {
    @Test func aBurstAcrossATenMinuteMarkIsABruteForce() {
        // 00:09:40 … 00:10:05: four failures before the mark, two after.
        var text = ""
        for k in 0..<6 {
            let s = 580 + k * 5
            text += "2026-01-10T00:\(String(format: "%02d", s / 60)):\(String(format: "%02d", s % 60))Z web sshd[\(100 + k)]: Failed password for root from 198.51.100.23 port 22 ssh2\n"
        }
        var d = Detector(model: nil)
        _ = LogReader().read(bytes: Array(text.utf8), name: "burst.log") { d.process($0) }
        let found = d.finish()
        #expect(found.map(\.kind) == [.bruteForce], "\(found.map(\.kind)): \(found.first?.reasons ?? [])")
        #expect(found.first?.details["max_failures_per_window"] == .double(6))
    }
}
