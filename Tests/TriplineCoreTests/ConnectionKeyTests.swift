import Testing
@testable import TriplineCore

/// The key of an sshd connection hashes without `Hasher`: its host's hash, taken once per host,
/// mixed with the process id (`SSHSessionTracker.Key`). Equal keys must hash alike however they
/// were made, and keys an attacker chooses must still spread over a table's buckets.
@Suite struct ConnectionKeyTests {
    /// Hosts that are the same for `String` though not byte for byte (é precomposed and
    /// decomposed), none, empty, short and long (stored out of line).
    static let hosts: [String?] = [nil, "", "web01", "caf\u{E9}", "cafe\u{301}", "bastion-01.eu-west.internal.example.com"]

    @Test func equalKeysHashAlikeHoweverTheyWereMade() {
        var memo = HostHashes()
        for (i, a) in Self.hosts.enumerated() {
            for (j, b) in Self.hosts.enumerated() {
                // Through the memo, with the other host looked up in between, and directly.
                _ = memo.hash(Self.hosts[(i + 1) % Self.hosts.count])
                let x = SSHSessionTracker.Key(host: a, pid: 4242, hostHash: memo.hash(a))
                let y = SSHSessionTracker.Key(host: b, pid: 4242)
                #expect((x == y) == (a == b), "\(String(describing: a)) and \(String(describing: b))")
                guard x == y else { continue }
                for seed in [0, 1, -7, Int.max] {
                    #expect(x._rawHashValue(seed: seed) == y._rawHashValue(seed: seed))
                }
                #expect(x.hashValue == y.hashValue)
                #expect([x: i][y] == i, "a table finds the key made the other way")
            }
        }
        // The same host with another process is another connection.
        #expect(SSHSessionTracker.Key(host: "web01", pid: 1) != SSHSessionTracker.Key(host: "web01", pid: 2))
    }

    /// Process ids that an identity hash would put in one bucket (multiples of the table's size)
    /// and hosts that differ only in their middle, 49,152 keys in a table of 65,536 slots: no
    /// bucket gets more than a dozen (a fair spread puts at most seven or eight in one).
    @Test(arguments: [0, 0x5EED])
    func chosenKeysSpreadOverTheBuckets(seed: Int) {
        let slots = 1 << 16
        func fullest(_ keys: [SSHSessionTracker.Key]) -> Int {
            var bucket = [Int](repeating: 0, count: slots)
            for k in keys { bucket[k._rawHashValue(seed: seed) & (slots - 1)] += 1 }
            return bucket.max() ?? 0
        }
        let count = 49_152
        let aligned = (0..<count).map { SSHSessionTracker.Key(host: "web01", pid: $0 << 16) }
        let consecutive = (0..<count).map { SSHSessionTracker.Key(host: "web01", pid: 1_000 + $0) }
        let middles = (0..<count).map { SSHSessionTracker.Key(host: "host-\($0)-x.example.com", pid: 22) }
        #expect(fullest(aligned) <= 12)
        #expect(fullest(consecutive) <= 12)
        #expect(fullest(middles) <= 12)
    }

    /// The tracker finds a connection again by its host and process id, whatever hosts came
    /// between (its memo of the last host's hash must not leak into another host's key).
    @Test func theTrackerFindsEachConnectionAgain() {
        var tracker = SSHSessionTracker()
        let hosts = ["a", "b", "caf\u{E9}", "bastion-01.eu-west.internal.example.com"]
        for (i, h) in hosts.enumerated() {
            let entry = tracker.entry(host: h, pid: 100)
            var ctx = entry.context
            ctx.source = "10.0.0.\(i)"
            tracker.store(ctx, in: entry)
        }
        for (i, h) in hosts.enumerated().reversed() {
            #expect(tracker.entry(host: h, pid: 100).context.source == "10.0.0.\(i)")
        }
        #expect(tracker.entry(host: "cafe\u{301}", pid: 100).context.source == "10.0.0.2")
        #expect(tracker.entry(host: "a", pid: 101).context.source == nil)
        #expect(tracker.entry(host: nil, pid: 100).context.source == nil)
    }
}

/// `NewestByHost` asks the host before first, by name: what it answers must be what a plain
/// table of each host's newest time answers, whatever order the hosts come in.
@Suite struct NewestByHostTests {
    @Test func itAnswersWhatATableWould() {
        let hosts: [String?] = [nil, "a", "b", "caf\u{E9}", "bastion-01.eu-west.internal.example.com"]
        var rng = SplitMix64(seed: 5)
        var memo = NewestByHost()
        var plain: [String?: Int64] = [:]
        for _ in 0..<5_000 {
            // Runs of one host, as in a log, and changes.
            let h = hosts[Int(rng.next() % UInt64(hosts.count))]
            for _ in 0..<Int(rng.next() % 4) {
                let t = Int64(rng.next() % 1_000_000)
                memo.note(t, host: h)
                plain[h] = max(plain[h] ?? .min, t)
            }
        }
        for _ in 0..<1_000 {
            let h = hosts[Int(rng.next() % UInt64(hosts.count))]
            #expect(memo.time(of: h) == (plain[h] ?? .min))
        }
        #expect(memo.time(of: "cafe\u{301}") == plain["caf\u{E9}"], "a name equal as a String is the same host")
        #expect(memo.time(of: "never") == .min)
    }
}

/// `RecentKeyDictionary` answers a repeated key from the place it remembers: after any mix of
/// insertions, changes in place and removals, it must hold what a plain dictionary holds.
@Suite struct RecentKeyDictionaryTests {
    @Test func itHoldsWhatAPlainDictionaryHolds() {
        var rng = SplitMix64(seed: 11)
        var recent = RecentKeyDictionary<String, Int>()
        var plain: [String: Int] = [:]
        var key = "k0"
        for step in 0..<20_000 {
            // Runs of one key, as an attack's lines are, and jumps among 300.
            if rng.next() % 3 == 0 { key = "k\(rng.next() % 300)" }
            switch rng.next() % 10 {
            case 0:
                if let i = recent.index(forKey: key) { recent.remove(at: i) }
                plain[key] = nil
            case 1 where step % 1_000 == 0:
                recent.removeAll(whereValue: { $0 % 2 == 0 })
                plain = plain.filter { $0.value % 2 != 0 }
            case 2 where step % 1_500 == 0:
                recent.keepStrongest(100) { Double($0) }
                #expect(recent.count <= 100)
                plain = recent.table
            default:
                let i = recent.index(forKey: key) { 0 }
                recent.withValue(at: i) { $0 += 1 }
                plain[key, default: 0] += 1
            }
            if let i = recent.index(forKey: key) {
                #expect(recent.table[i].key == key && recent.table[i].value == plain[key])
            } else {
                #expect(plain[key] == nil)
            }
        }
        #expect(recent.table == plain)
    }
}

/// A name that carries its hash (`HashedName`, the key of the detector's tables of addresses):
/// equal names are equal keys and hash alike, and names an attacker picks spread over a table.
@Suite struct HashedNameTests {
    @Test func equalNamesAreEqualKeys() {
        let names = ["", "10.0.0.1", "10.0.0.10", "2001:db8::1", "caf\u{E9}", "cafe\u{301}", String(repeating: "a", count: 40)]
        for a in names {
            for b in names {
                let x = HashedName(a), y = HashedName(b)
                #expect((x == y) == (a == b), "\(a) and \(b)")
                #expect((x < y) == (a < b), "ordered by name")
                guard x == y else { continue }
                for seed in [0, 1, -7, Int.max] { #expect(x._rawHashValue(seed: seed) == y._rawHashValue(seed: seed)) }
                #expect(x.hashValue == y.hashValue)
            }
        }
        // A table finds each key made again, through insertions and removals that move entries.
        var table: [HashedName: Int] = [:]
        for i in 0..<20_000 { table[HashedName("198.51.\(i / 256).\(i % 256)")] = i }
        for i in stride(from: 0, to: 20_000, by: 3) { table[HashedName("198.51.\(i / 256).\(i % 256)")] = nil }
        for i in 0..<20_000 { #expect(table[HashedName("198.51.\(i / 256).\(i % 256)")] == (i % 3 == 0 ? nil : i)) }
    }

    /// The windows' key of a user and an event kind carries its hash the same way.
    @Test func userKindKeysAreEqualAndHashAlikeByValue() {
        typealias UK = DetectionWindows.UserKind
        let a = UK(user: "caf\u{E9}", kind: .login), b = UK(user: "cafe\u{301}", kind: .login)
        #expect(a == b && a._rawHashValue(seed: 99) == b._rawHashValue(seed: 99) && a.hashValue == b.hashValue)
        #expect(a != UK(user: "caf\u{E9}", kind: .sudo))
        #expect(UK(user: "ab", kind: .login) != UK(user: "a", kind: EventType(rawValue: "blogin")), "the two strings are not run together")
        #expect(UK(user: "alice", kind: .sudo) < UK(user: "bob", kind: .login) && UK(user: "a", kind: .login) < UK(user: "a", kind: .sudo))
        var table: [UK: Int] = [:]
        for i in 0..<10_000 { table[UK(user: "u\(i)", kind: i % 2 == 0 ? .login : .sudo)] = i }
        for i in stride(from: 0, to: 10_000, by: 2) { table[UK(user: "u\(i)", kind: .login)] = nil }
        for i in 0..<10_000 { #expect(table[UK(user: "u\(i)", kind: i % 2 == 0 ? .login : .sudo)] == (i % 2 == 0 ? nil : i)) }
    }

    /// Addresses in one block, differing only in their last digits, and names differing in
    /// their middle: 49,152 of them over 65,536 slots, no bucket with more than a dozen.
    @Test(arguments: [0, 0x5EED])
    func chosenNamesSpreadOverTheBuckets(seed: Int) {
        let slots = 1 << 16
        func fullest(_ keys: [HashedName]) -> Int {
            var bucket = [Int](repeating: 0, count: slots)
            for k in keys { bucket[k._rawHashValue(seed: seed) & (slots - 1)] += 1 }
            return bucket.max() ?? 0
        }
        let count = 49_152
        #expect(fullest((0..<count).map { HashedName("10.\($0 >> 16).\($0 >> 8 & 255).\($0 & 255)") }) <= 12)
        #expect(fullest((0..<count).map { HashedName("2001:db8::\(String($0, radix: 16))") }) <= 12)
        #expect(fullest((0..<count).map { HashedName("host-\($0)-x.example.com") }) <= 12)
    }
}
