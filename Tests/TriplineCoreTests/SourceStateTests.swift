import Testing
@testable import TriplineCore

/// What the detector keeps per source, as small as it can be kept: a botnet's tens of thousands
/// of addresses each hold one, and the table of them is the largest thing an analysis holds.
@Suite struct SourceStateTests {
    /// The sizes the memory figures in BENCHMARKS.md rest on.
    @Test func stateStaysSmall() {
        #expect(MemoryLayout<SourceState.Failure>.stride == 48)
        #expect(MemoryLayout<HourlyTally.Hour>.stride == 24)
        #expect(MemoryLayout<SourceState>.stride <= 56, "\(MemoryLayout<SourceState>.stride) bytes")
    }

    /// A source's incident is keyed by the address itself (no key kept per source), yet no two
    /// entities share a key, whatever an attacker names a host, and incident ids are as they
    /// were when every source key was `src|` and the address.
    @Test func sourceKeysAreTheAddressYetCollideWithNothing() {
        let sources = ["203.0.113.9", "2001:db8::1", "", "host.example", "src|203.0.113.9", "scan|203.0.113.9",
                       "privilege_escalation|alice", "a|b", "|", "ü.example", "203.0.113.9|"]
        let others = ["scan|203.0.113.9", "privilege_escalation|alice", "account_takeover|alice|203.0.113.9",
                      "success_after_failures|root|203.0.113.9", "unusual_activity|alice", "bulk_data_access|alice|db"]
        let keys = sources.map(IncidentBook.sourceKey)
        #expect(Set(keys).count == sources.count)
        #expect(Set(keys).isDisjoint(with: others), "\(Set(keys).intersection(others))")
        #expect(IncidentBook.sourceKey("203.0.113.9") == "203.0.113.9")
        let t = Timestamp(microseconds: 1_768_039_200_000_000)
        for s in sources {
            #expect(IncidentBook.id(IncidentBook.sourceKey(s), t) == IncidentBook.id("src|" + s, t), "\(s)")
        }
    }

    /// Room for failures grows by half, not double: ten failures (a botnet address's usual
    /// share) keep room for twelve, not sixteen; one keeps room for one.
    @Test func failureRoomGrowsByHalf() {
        var s = SourceState()
        var rooms: [Int] = []
        for i in 0..<10 {
            s.add(SourceState.Failure(time: Int64(i) * 1_000_000, user: "root", invalid: false, weight: 1), keep: micros(3600), slowKeep: micros(86_400))
            rooms.append(s.failureRoom)
        }
        #expect(rooms[0] <= 2, "\(rooms)")
        #expect(rooms[9] >= 10 && rooms[9] <= 13, "\(rooms)")
        #expect(s.failures.count == 10)
        #expect(SourceState.grown(10) == 15 && SourceState.grown(1) == 2)
    }

    /// A failure keeps its file as a number and its line beside it in one word.
    @Test func aFailureKeepsItsFileAndLine() {
        let f = SourceState.Failure(time: 1, user: "root", invalid: false, weight: 1, fileNumber: 5, line: 123_456_789_012)
        #expect(f.fileNumber == 5 && f.line == 123_456_789_012)
        let far = SourceState.Failure(time: 1, user: nil, invalid: true, weight: 0.5, fileNumber: 0xFF_FFFF, line: .max, events: 3)
        #expect(far.fileNumber == 0xFF_FFFF && far.line == (1 << 40) - 1 && far.events == 3)
        #expect(SourceState.Failure(time: 1, user: nil, invalid: false, weight: 1, line: -4).line == 0)

        var files = FileNumbers()
        #expect(files.number(nil) == 0 && files.name(0) == nil)
        let a = files.number("/var/log/auth.log"), b = files.number("/var/log/auth.log.1")
        #expect(a != 0 && b != 0 && a != b)
        #expect(files.number("/var/log/auth.log") == a, "a name keeps its number")
        #expect(files.name(a) == "/var/log/auth.log" && files.name(b) == "/var/log/auth.log.1")
        #expect(files.name(999) == nil)
    }

    /// One source failing in two files read together (a host's log and its rotated one): the
    /// failures before the incident opened cite each its own file.
    @Test func earlierFailuresCiteTheirOwnFiles() {
        var d = Detector(model: nil)
        for i in 0..<8 {
            let t = Timestamp(microseconds: 1_768_039_200_000_000 + Int64(i) * 2_000_000)
            let file = i % 2 == 0 ? "a.log" : "b.log"
            d.process(LogEvent(timestamp: t, host: "web", program: "sshd", pid: 100 + i, user: "root", sourceIP: "203.0.113.9",
                               eventType: .login, outcome: .failure, action: "failed", authMethod: "password", invalidUser: false,
                               message: "Failed password for root from 203.0.113.9 port 22 ssh2", file: file, line: 10 + i))
        }
        let found = d.finish()
        #expect(found.count == 1)
        let cited = found.first?.evidence.map { "\($0.file):\($0.line ?? 0)" } ?? []
        #expect(cited == (0..<8).map { "\($0 % 2 == 0 ? "a.log" : "b.log"):\(10 + $0)" })
    }

    /// The hourly tally (newest hour in place, the others in an array) against the plain list of
    /// hours it replaced, over random additions, some out of order, takebacks and trims.
    @Test func hourlyTallyAgreesWithAPlainList() {
        var rng = SplitMix64(seed: 21)
        for round in 0..<200 {
            var tally = HourlyTally()
            var plain = PlainTally()
            let base: Int64 = 1_768_039_200_000_000
            for _ in 0..<Int(rng.next() % 40) {
                let hour = Int64(rng.next() % 30)
                let t = base + hour * 3_600_000_000 + Int64(rng.next() % 3_600_000_000)
                switch rng.next() % 6 {
                case 0:
                    let w = Double(rng.next() % 3)
                    tally.subtract(w, at: t)
                    plain.subtract(w, at: t)
                case 1:
                    let cutoff = base + Int64(rng.next() % 30) * 3_600_000_000
                    tally.removeHours(before: cutoff)
                    plain.removeHours(before: cutoff)
                default:
                    let w = [0, 0.5, 1, 2][Int(rng.next() % 4)]
                    tally.add(w, at: t)
                    plain.add(w, at: t)
                }
                let hours = tally.hours.map { "\($0.index):\($0.weight):\($0.first.map(String.init) ?? "-")" }
                #expect(hours == plain.hours.map { "\($0.index):\($0.weight):\($0.first.map(String.init) ?? "-")" }, "round \(round)")
                #expect(tally.count == plain.hours.count && tally.isEmpty == plain.hours.isEmpty)
                #expect(tally.total == plain.total)
                let from = base / 3_600_000_000 + Int64(rng.next() % 30)
                #expect(tally.total(fromHour: from) == plain.total(fromHour: from))
                let w = tally.weight(after: from - 10, upTo: from), p = plain.weight(after: from - 10, upTo: from)
                #expect(w.total == p.total && w.hours == p.hours)
            }
            tally.removeAll()
            #expect(tally.isEmpty && tally.count == 0 && tally.total == 0)
        }
    }

    /// The tally as it was: every hour in one array.
    struct PlainTally {
        struct Hour { var index: Int64; var weight: Double; var first: Int64? }
        var hours: [Hour] = []
        mutating func add(_ weight: Double, at time: Int64) {
            let index = time / 3_600_000_000
            var i = hours.count
            while i > 0, hours[i - 1].index > index { i -= 1 }
            if i > 0, hours[i - 1].index == index {
                hours[i - 1].weight += weight
                if weight > 0, hours[i - 1].first.map({ time < $0 }) ?? true { hours[i - 1].first = time }
            } else {
                hours.insert(Hour(index: index, weight: weight, first: weight > 0 ? time : nil), at: i)
            }
        }
        func weight(after: Int64, upTo: Int64) -> (total: Double, hours: Int) {
            var total = 0.0, n = 0
            for h in hours where h.index > after && h.index <= upTo && h.weight > 0 { total += h.weight; n += 1 }
            return (total, n)
        }
        mutating func subtract(_ weight: Double, at time: Int64) {
            let index = time / 3_600_000_000
            guard let i = hours.lastIndex(where: { $0.index == index }) else { return }
            hours[i].weight = max(0, hours[i].weight - weight)
        }
        mutating func removeHours(before cutoff: Int64) { hours.removeAll { $0.index * 3_600_000_000 < cutoff } }
        var total: Double { hours.reduce(0) { $0 + $1.weight } }
        func total(fromHour from: Int64) -> Double { hours.reduce(0) { $0 + ($1.index >= from ? $1.weight : 0) } }
    }
}

/// The bounded tables an attacker fills with keys of their choosing.
@Suite struct BoundedTableTests {
    /// Over its limit a table keeps the highest scores, in place, and breaks ties at the cut by
    /// key: what stays does not depend on the table's hash seed.
    @Test func keepStrongestKeepsTheHighestAndBreaksTiesByKey() {
        func key(_ i: Int) -> String { "k" + String(repeating: "0", count: 4 - String(i).count) + String(i) }
        var t: [String: Int] = [:]
        for i in 0..<1000 { t[key(i)] = i % 10 }
        let capacity = t.capacity
        t.keepStrongest(250) { Double($0) }
        #expect(t.count == 250)
        #expect(t.capacity == capacity, "cut in place")
        #expect(t.values.filter { $0 >= 8 }.count == 200, "every 9 and 8")
        let sevens = t.filter { $0.value == 7 }.keys.sorted()
        #expect(sevens == (0..<1000).filter { $0 % 10 == 7 }.prefix(50).map(key), "the 7s with the smallest keys")
        var small = t
        small.keepStrongest(300) { Double($0) }
        #expect(small.count == 250, "under the limit nothing goes")
        small.keepStrongest(0) { Double($0) }
        #expect(small.isEmpty)
    }

    /// A few stale keys go in place; most going leaves a fresh, smaller table (a flood's room
    /// given back).
    @Test func removeAllShrinksOnlyWhenMostGo() {
        var t = Dictionary(uniqueKeysWithValues: (0..<10_000).map { ($0, $0) })
        let capacity = t.capacity
        t.removeAll { $0.key % 4 == 0 }
        #expect(t.count == 7_500 && t.capacity == capacity)
        t.removeAll { $0.key % 4 != 1 }
        #expect(t.count == 2_500 && t.capacity < capacity)
        #expect(t.keys.allSatisfy { $0 % 4 == 1 })
        t.removeAll(where: { _ in false })
        #expect(t.count == 2_500)
    }

    /// The same, choosing on values read in place.
    @Test func removeAllByValueShrinksOnlyWhenMostGo() {
        var t = Dictionary(uniqueKeysWithValues: (0..<10_000).map { ($0, $0 * 2) })
        let capacity = t.capacity
        t.removeAll(whereValue: { $0 % 8 == 0 })
        #expect(t.count == 7_500 && t.capacity == capacity)
        t.removeAll(whereValue: { $0 % 8 != 2 })
        #expect(t.count == 2_500 && t.capacity < capacity)
        #expect(t.allSatisfy { $0.key % 4 == 1 && $0.value == $0.key * 2 })
        t.removeAll(whereValue: { _ in false })
        #expect(t.count == 2_500)
    }

    /// The bound is the most a table of 131,072 slots holds less one (the key inserted before the
    /// count is checked); a flood of addresses past a bound so chosen is cut back before the
    /// table doubles. (At 100,000 the sources doubled to 262,144 slots to hold 1,700 keys more.)
    @Test func aFloodIsCutBeforeTheTableDoubles() {
        #expect([String: SourceState](minimumCapacity: boundedTableKeys + 1).capacity == boundedTableKeys + 1)
        #expect([String: SourceState](minimumCapacity: boundedTableKeys + 2).capacity >= 2 * (boundedTableKeys + 1))
        #expect([String: SourceState](minimumCapacity: boundedSourceKeys + 1).capacity == boundedSourceKeys + 1)
        #expect([String: SourceState](minimumCapacity: boundedSourceKeys + 2).capacity >= 2 * (boundedSourceKeys + 1))
        #expect(Detector(model: nil).limits.sources == boundedSourceKeys)
        let bound = 3 * 1024 - 1 // the same fit for 4,096 slots
        var d = AdversarialInputTests.boundedDetector(bound)
        var rng = SplitMix64(seed: 12)
        var largest = 0
        for i in 0..<12_000 {
            let t = Timestamp(microseconds: 1_768_039_200_000_000 + Int64(i) * 1_000_000)
            let ip = AdversarialInputTests.address(&rng)
            d.process(LogEvent(timestamp: t, host: "web", program: "sshd", pid: i, user: "root", sourceIP: ip, eventType: .login,
                               outcome: .failure, action: "failed", authMethod: "password", invalidUser: false,
                               message: "x", file: "f", line: i + 1))
            largest = max(largest, d.sources.capacity)
            _ = d.drainChanges()
        }
        #expect(d.sources.count > bound / 2, "the flood filled the table")
        #expect(largest == bound + 1, "the table grew to room for \(largest) sources")
    }
}

/// The selection that finds a bounded table's cut-off score, against a sort, on the shapes that
/// break naive quickselects: sorted either way, all equal, few distinct values, organ pipes.
@Suite struct KthLargestTests {
    func check(_ values: [Double], _ what: String, maxRounds: Int? = nil) {
        let sorted = values.sorted(by: >)
        for k in Set([1, 2, values.count / 3, values.count / 2, values.count - 1, values.count]) where k >= 1 && k <= values.count {
            var v = values
            let got = kthLargest(&v, k, maxRounds: maxRounds)
            #expect(got == sorted[k - 1], "\(what): k = \(k)")
            #expect(v.sorted(by: >) == sorted, "\(what): the values are only reordered")
        }
    }

    @Test func agreesWithASortOnHardShapes() {
        var rng = SplitMix64(seed: 7)
        let n = 5_001
        check((0..<n).map(Double.init), "ascending")
        check((0..<n).reversed().map(Double.init), "descending")
        check(Array(repeating: 3, count: n), "all equal")
        check((0..<n).map { Double($0 % 3) }, "three values")
        check((0..<n).map { _ in Double(rng.next() % 50) }, "random with ties")
        check((0..<n).map { Double(min($0, n - $0)) }, "organ pipe")
        check((0..<n).map { $0 % 7 == 0 ? -.infinity : Double(rng.next() % 1000) }, "with -infinity")
        check([42], "one value")
        check([1, 2], "two values")
    }

    /// The same selection over names, the keys tied at a table's cut: the n-th smallest is the
    /// sort's, with many equal names, and after any number of rounds.
    @Test func namesAreSelectedAsASortWouldOrderThem() {
        var rng = SplitMix64(seed: 3)
        let names = (0..<3_000).map { _ in "u" + String(rng.next() % 900, radix: 36) }
        let sorted = names.sorted()
        for rounds in [nil, 0, 2] as [Int?] {
            for n in [0, 1, 1_499, 2_998, 2_999] {
                var v = names
                #expect(nthSmallest(&v, n, by: <, maxRounds: rounds) == sorted[n], "n = \(n), rounds \(String(describing: rounds))")
                #expect(v[..<n].allSatisfy { $0 <= sorted[n] } && v[n...].allSatisfy { $0 >= sorted[n] }, "the smaller first, the larger after")
            }
        }
    }

    /// A flood of names that each failed once: every score ties at the cut, and the smallest
    /// names are the ones kept.
    @Test func aTableWhoseScoresAllTieKeepsTheSmallestKeys() {
        var rng = SplitMix64(seed: 9)
        var t: [String: Double] = [:]
        while t.count < 20_000 { t["n" + String(rng.next() % 1_000_000_007, radix: 36)] = 1 }
        let expected = t.keys.sorted().prefix(7_001)
        t.keepStrongest(7_001) { $0 }
        #expect(t.count == 7_001)
        #expect(t.keys.sorted() == Array(expected))
    }

    /// Past its rounds the selection sorts what is left: the same answers, however early.
    @Test func theFallbackSortAgrees() {
        var rng = SplitMix64(seed: 11)
        let values = (0..<2_000).map { _ in Double(rng.next() % 300) }
        for rounds in [0, 1, 2, 3] { check(values, "after \(rounds) rounds", maxRounds: rounds) }
    }
}
