/// What sshd said earlier on one connection, keyed by host and process id (sshd forks one
/// process per connection), so that lines which leave the address out ("Disconnecting: Too
/// many authentication failures for root") can still be tied to it.
///
/// Bounded: when it holds too many connections it forgets them all, which costs at most the
/// address of a few in-flight connections.
struct SSHSessionTracker {
    /// One sshd connection: the host that logged it and sshd's process id.
    ///
    /// Every sshd line looks its connection up two or three times (here, and in the detector's
    /// attempts), so the key hashes without `Hasher`: the host's hash is taken once per host
    /// (``HostHashes``: a seeded SipHash, as `String` hashes itself) and mixed with the process
    /// id by splitmix64's finaliser (``Swift/Hashable/_rawHashValue(seed:)``, which `Dictionary`
    /// calls for a key's hash). An attacker who picks process ids cannot aim them at one
    /// bucket without the host's secret hash; host names go through SipHash as before.
    struct Key: Hashable, Comparable {
        let host: String?
        let pid: Int
        /// `host`'s hash (``HostHashes/hash(_:)``): equal hosts have equal ones.
        let hostHash: Int

        init(host: String?, pid: Int, hostHash: Int) {
            self.host = host
            self.pid = pid
            self.hostHash = hostHash
        }

        /// A key whose host is hashed here (tests, and paths that are not hot).
        init(host: String?, pid: Int) {
            self.init(host: host, pid: pid, hostHash: HostHashes.hash(host))
        }

        /// The process ids first: they tell most keys apart, and a lookup in a full table
        /// compares its key with several others (cheaply, then).
        static func == (a: Key, b: Key) -> Bool { a.pid == b.pid && a.hostHash == b.hostHash && a.host == b.host }

        func hash(into hasher: inout Hasher) { hasher.combine(_rawHashValue(seed: 0)) }

        /// The host's hash and the process id mixed with the table's seed (``seededMix(_:seed:)``).
        func _rawHashValue(seed: Int) -> Int { seededMix(hostHash ^ pid, seed: seed) }

        /// By process id, then host (no host first): which of equally recent connections a
        /// full table keeps, the same on every run.
        static func < (a: Key, b: Key) -> Bool {
            if a.pid != b.pid { return a.pid < b.pid }
            switch (a.host, b.host) {
            case (nil, nil), (_?, nil): return false
            case (nil, _?): return true
            case let (x?, y?): return x < y
            }
        }
    }

    struct Context {
        var source: String?
        var port: Int?
        /// A failure seen without an address, waiting for the line that names one.
        var pending = false
        var pendingUser: String?
        var pendingInvalid = false
        /// The last line was "maximum authentication attempts exceeded", which OpenSSH follows
        /// with "Disconnecting …: Too many authentication failures" for the same event.
        var lastWasMaxAuth = false
    }

    /// A connection looked up by ``entry(host:pid:)``: its context, and where it is kept, so
    /// that ``store(_:in:)`` writes it back without hashing the key again (every sshd line
    /// reads and writes its connection: this is the parser's hot path).
    struct Entry {
        var context: Context
        fileprivate let key: Key?
        fileprivate let index: Dictionary<Key, Context>.Index?
    }

    /// Connections kept at most: three quarters of 16,384, the most a table of 16,384 slots
    /// holds (a Swift dictionary doubles past a load of 3/4; one more connection would double
    /// the table to 2.9 MB for connections most of which sshd has long closed).
    static let capacity = 12_288
    private var table: [Key: Context] = [:]
    private var hosts = HostHashes()

    /// The connection of `pid` on `host` (a fresh context when it is unknown or `pid` is nil).
    mutating func entry(host: String?, pid: Int?) -> Entry {
        guard let pid else { return Entry(context: Context(), key: nil, index: nil) }
        let key = Key(host: host, pid: pid, hostHash: hosts.hash(host))
        if let i = table.index(forKey: key) { return Entry(context: table.values[i], key: key, index: i) }
        return Entry(context: Context(), key: key, index: nil)
    }

    /// Keeps `context` for the connection `entry` was looked up for (nothing when it had no
    /// process id). The table must not have changed since the lookup.
    mutating func store(_ context: Context, in entry: Entry) {
        guard let key = entry.key else { return }
        if let i = entry.index {
            table.values[i] = context
            return
        }
        if table.count >= SSHSessionTracker.capacity { table.removeAll(keepingCapacity: true) }
        table[key] = context
    }
}

/// The hashes of host names, the last one kept: the lines of a log come from one host, or a
/// few, so a host is hashed when it changes, not on every line.
struct HostHashes {
    private var last: (host: String?, hash: Int) = (nil, HostHashes.hash(nil))

    /// `host`'s hash (the same as ``hash(_:)-swift.type.method``), computed again only when it
    /// is not the host of the call before.
    mutating func hash(_ host: String?) -> Int {
        if host == last.host { return last.hash }
        let h = HostHashes.hash(host)
        last = (host, h)
        return h
    }

    /// `host`'s hash: `String`'s own (SipHash, seeded per process), and a fixed value for none.
    static func hash(_ host: String?) -> Int {
        guard let host else { return 0x5BD1_E995 }
        return host.hashValue
    }
}
