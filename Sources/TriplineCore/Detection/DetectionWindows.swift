/// Counts that need a little memory of the recent past, computed identically at training and at
/// detection: how much a failed login weighs (one attempt logged as two lines counts once), the
/// failures from a source in the last 10 minutes, and a user's events of one kind in the last hour.
struct DetectionWindows {
    struct Counts {
        /// What this event adds to its source's failed-login count (0 for non-failures).
        var failureWeight: Double
        /// 1 when this line ends (or shows) a connection that never tried to log in: a probe.
        var probe: Double = 0
        var sourceFailures10m: Double
        var userKindLastHour: Double
    }

    /// The password attempt under way on one sshd connection: which of its lines have been seen
    /// (one attempt logs up to three: "Invalid user", PAM's failure, sshd's "Failed password").
    private struct Attempt {
        var kinds: UInt8
        /// Attempts counted on this connection so far, this one included (saturating).
        var counted: UInt8 = 1
        /// The client offered public keys the server refused (an agent holding many keys).
        var keyOffered = false
        /// The latest line of the attempt.
        var time: Int64
        var source: String?

        init(kinds: UInt8, time: Int64, source: String?, counted: UInt8 = 1, keyOffered: Bool = false) {
            self.kinds = kinds; self.counted = counted; self.keyOffered = keyOffered; self.time = time; self.source = source
        }
    }

    /// The attempts sshd allows a connection before it ends it (OpenSSH's `MaxAuthTries`,
    /// 6 unless configured): what "maximum authentication attempts exceeded" stands for.
    static let maxAuthTries = 6

    private var attempts: [SSHSessionTracker.Key: Attempt] = [:]
    private var hosts = HostHashes()

    /// The key of the sshd connection `pid` of `e`'s host.
    private mutating func connection(_ e: LogEvent, _ pid: Int) -> SSHSessionTracker.Key {
        SSHSessionTracker.Key(host: e.host, pid: pid, hostHash: hosts.hash(e.host))
    }
    /// The size at which the finished attempts are swept out (twice what the last sweep kept,
    /// at most ``attemptsMost``).
    private var attemptsSweepAt = 4096
    /// Connections remembered at most: the most a table of 32,768 slots holds. A sweep leaves
    /// at most half of it, so the next is at least as many connections away. (A flood of
    /// connections, 50 a second, kept 33,000 within ten minutes and was swept at twice that:
    /// 11 MB of table; then, with a limit of 49,151, swept at 30,000, one more than a table of
    /// 32,768 slots holds, so it was 65,536 slots and 3.7 MB, 5.5 MB while it doubled.)
    static let attemptsMost = 24_576
    /// Host names PAM logged (`rhost=` under sshd's UseDNS) for the addresses sshd logged on the
    /// same connection: later lines with the name count for the address.
    private(set) var aliases: [String: String] = [:]
    private var sourceFailures = RecentKeyDictionary<HashedName, SlidingCounts>()
    private var userKind: [UserKind: SlidingCounts] = [:]
    /// A user and an event kind (a key of two strings, not one made by joining them per event).
    ///
    /// It carries its hash, taken once when it is made, as ``HashedName`` does and for the same
    /// reason: a flood of names fills the table with keys that a sweep then removes, and each
    /// removal hashed both strings of the entries that moved up after it.
    struct UserKind: Hashable, Comparable {
        let user: String
        let kind: EventType
        /// `user` and `kind` through one `Hasher` (seeded per process).
        let pairHash: Int

        init(user: String, kind: EventType) {
            self.user = user
            self.kind = kind
            var h = Hasher()
            h.combine(user)
            h.combine(kind)
            pairHash = h.finalize()
        }

        static func == (a: UserKind, b: UserKind) -> Bool { a.pairHash == b.pairHash && a.user == b.user && a.kind == b.kind }
        func hash(into hasher: inout Hasher) { hasher.combine(pairHash) }
        func _rawHashValue(seed: Int) -> Int { seededMix(pairHash, seed: seed) }
        /// By account, then kind (which of equally busy keys a full table keeps).
        static func < (a: UserKind, b: UserKind) -> Bool { (a.user, a.kind.rawValue) < (b.user, b.kind.rawValue) }
    }
    private var seen = 0
    private var now: Int64 = .min

    static let tenMinutes = micros(600)
    static let hour = micros(3600)
    /// How far apart the lines of one attempt may be (PAM's line comes first, sshd's after the
    /// failure delay; a slow PAM stack or a DNS lookup can stretch it).
    static let attemptSpan = micros(30)

    /// The weight of a failed login: 1 per password attempt. An attempt's several lines on one
    /// connection ("Invalid user", PAM's `authentication failure`, sshd's `Failed password`)
    /// count once; a line of a kind the attempt already has starts the next attempt. Refused
    /// public keys (clients offer several), the `none` probe, and summaries of attempts already
    /// counted ("PAM 5 more authentication failures", PAM's "check pass; user unknown", a
    /// disconnect after counted attempts) weigh nothing.
    ///
    /// sshd's own summary of a connection it ended ("maximum authentication attempts exceeded",
    /// or "Disconnecting: Too many authentication failures" alone) stands for the attempts it
    /// allowed (``maxAuthTries``) when none of them was logged on that connection (tries sshd
    /// logs below INFO, or a log that keeps only errors); after logged attempts it weighs
    /// nothing more, and after refused public keys only (a client whose agent offers too many
    /// keys) it is one attempt.
    ///
    /// A line that stands for several (`message repeated N times`) weighs its first copy as
    /// above and each further copy as a new attempt when its kind counts: the copies repeat a
    /// line the attempt already has.
    mutating func failureWeight(_ e: LogEvent) -> Double {
        let first = lineWeight(e)
        guard e.repeatCount > 1 else { return first }
        let copies = Double(e.repeatCount - 1) * DetectionWindows.copyWeight(e)
        if copies > 0, let pid = e.pid {
            let key = connection(e, pid)
            if let a = attempts[key] { attempts[key]?.counted = UInt8(min(255, Int(a.counted) + e.repeatCount - 1)) }
        }
        return first + copies
    }

    /// What each further copy of a repeated line weighs (see ``failureWeight(_:)``).
    static func copyWeight(_ e: LogEvent) -> Double {
        guard e.outcome == .failure, e.eventType == .login || e.eventType == .disconnect else { return 0 }
        switch e.action {
        case "failed": return e.authMethod == "publickey" || e.authMethod == "none" ? 0 : 1
        case "max_auth_attempts", "too_many_failures", "too_many_failures_repeat", "pam_more_failures", "pam_user_unknown",
             "auth_fail_disconnect", "no_auth_methods":
            return 0
        default: return 1
        }
    }

    /// The weight of one line (see ``failureWeight(_:)``).
    private mutating func lineWeight(_ e: LogEvent) -> Double {
        if e.outcome != .failure {
            return abandonedAttemptWeight(e)
        }
        guard e.eventType == .login || e.eventType == .disconnect else { return 0 }
        let kind: UInt8
        switch e.action {
        case "failed":
            if e.authMethod == "publickey" {
                noteKeyOffer(e)
                return 0
            }
            if e.authMethod == "none" { return 0 }
            kind = 4
        case "max_auth_attempts", "too_many_failures":
            return connectionEndedWeight(e)
        case "too_many_failures_repeat", "pam_more_failures", "pam_user_unknown":
            return 0
        case "auth_fail_disconnect", "no_auth_methods":
            return abandonedAttemptWeight(e, anyOutcome: true)
        case "invalid_user": kind = 1
        case "pam_auth_failure": kind = 2
        case "pam_failure": kind = 8
        default: kind = 16
        }
        guard let pid = e.pid else { return 1 }
        let key = connection(e, pid)
        let t = e.timestamp.microseconds
        let found = find(key, t)
        if let i = found.index, case var a = attempts.values[i], a.counted > 0, a.kinds & kind == 0,
           abs(t - a.time) <= DetectionWindows.attemptSpan {
            // Another line of the attempt under way.
            a.kinds |= kind
            a.time = max(a.time, t)
            var w = 0.0
            // PAM named the peer by host name and sshd by address: one peer. From now on the
            // name counts as the address; this attempt counts for the address (the name keeps
            // the one it got, too few to matter).
            if let x = a.source, let y = e.sourceIP, x != y {
                let xIsName = !DetectionWindows.looksLikeAddress(x), yIsName = !DetectionWindows.looksLikeAddress(y)
                if xIsName != yIsName {
                    if aliases.count > 50_000 { aliases.removeAll(keepingCapacity: true) }
                    aliases[xIsName ? x : y] = xIsName ? y : x
                    if xIsName { w = 1; a.source = y }
                }
            }
            attempts.values[i] = a
            return w
        }
        let before = found.recent
        remember(key, Attempt(kinds: kind, time: t, source: e.sourceIP, counted: UInt8(min(255, Int(before?.counted ?? 0) + 1)),
                              keyOffered: before?.keyOffered ?? false), at: found.index)
        return 1
    }

    /// Where the connection `key` is kept, and what it logged up to `t` when that is recent
    /// enough to be the same connection (process ids come round again, but not within minutes).
    /// The place lets ``remember(_:_:at:)`` write without hashing the key again.
    private struct Found {
        var index: Dictionary<SSHSessionTracker.Key, Attempt>.Index?
        var recent: Attempt?
    }
    private func find(_ key: SSHSessionTracker.Key, _ t: Int64) -> Found {
        guard let i = attempts.index(forKey: key) else { return Found() }
        let a = attempts.values[i]
        return Found(index: i, recent: abs(t - a.time) <= DetectionWindows.tenMinutes ? a : nil)
    }

    /// A refused public key: no attempt in itself, but a summary that follows is an agent's
    /// keys running out, not passwords.
    private mutating func noteKeyOffer(_ e: LogEvent) {
        guard let pid = e.pid else { return }
        let key = connection(e, pid)
        let t = e.timestamp.microseconds
        let found = find(key, t)
        if var a = found.recent, let i = found.index {
            a.keyOffered = true
            attempts.values[i] = a
        } else {
            remember(key, Attempt(kinds: 0, time: t, source: e.sourceIP, counted: 0, keyOffered: true), at: found.index)
        }
    }

    /// sshd ended the connection for too many failures (see ``failureWeight(_:)``).
    private mutating func connectionEndedWeight(_ e: LogEvent) -> Double {
        guard let pid = e.pid else { return 1 }
        let key = connection(e, pid)
        let t = e.timestamp.microseconds
        let found = find(key, t)
        let before = found.recent
        if let b = before, b.counted > 0 { return 0 }
        let w = before?.keyOffered == true ? 1 : DetectionWindows.maxAuthTries
        remember(key, Attempt(kinds: 0xFF, time: t, source: e.sourceIP ?? before?.source, counted: UInt8(w), keyOffered: before?.keyOffered ?? false),
                 at: found.index)
        return Double(w)
    }

    /// Stores a new attempt (or probe) of the connection `key`, kept at `index` when it was
    /// found there (see ``find(_:_:)``), sweeping out finished ones when the table has grown.
    private mutating func remember(_ key: SSHSessionTracker.Key, _ a: Attempt, at index: Dictionary<SSHSessionTracker.Key, Attempt>.Index?) {
        if attempts.count >= attemptsSweepAt {
            sweepAttempts()
            attempts[key] = a
        } else if let index {
            attempts.values[index] = a
        } else {
            attempts[key] = a
        }
    }

    /// Forgets attempts no later line can belong to: older than ten minutes (and a minute for
    /// lines slightly out of order) before their own host's newest, so a host whose clock is
    /// behind keeps its own. Over half of ``attemptsMost`` still within that (a flood of
    /// connections), those older than sshd's login grace time (two minutes, and half a minute
    /// more) go too; over it still (over 80 connections a second), the latest half are kept.
    private mutating func sweepAttempts() {
        let half = DetectionWindows.attemptsMost / 2
        var newest = NewestByHost()
        for (k, a) in attempts { newest.note(a.time, host: k.host) }
        for margin in [DetectionWindows.tenMinutes + micros(60), micros(150)] {
            attempts.removeAll { $0.value.time < newest.time(of: $0.key.host) - margin }
            if attempts.count <= half { break }
        }
        if attempts.count > half { attempts.keepStrongest(half) { Double($0.time) } }
        attemptsSweepAt = min(max(4096, attempts.count * 2), DetectionWindows.attemptsMost)
    }

    /// Connection-level lines that show a client which never tried to log in: no
    /// identification string, a bad banner or protocol version, no common algorithm, a timeout
    /// before authentication, and a close, reset or disconnect before authentication with no
    /// user named and no attempt counted on the connection.
    static let probeActions: Set<String> = ["no_identification", "bad_protocol", "negotiation_failed", "protocol_error", "timeout_before_auth"]
    static let probeEndings: Set<String> = ["closed", "reset", "received_disconnect", "disconnected"]

    /// 1 for the first line of a connection that probed without trying to log in (scanners,
    /// banner grabbers), 0 otherwise; a connection counts once however many lines it logs.
    private mutating func probeWeight(_ e: LogEvent) -> Double {
        guard e.sourceIP != nil, e.user == nil, let action = e.action else { return 0 }
        if e.eventType == .connection, e.outcome == .failure, DetectionWindows.probeActions.contains(action) {
            // counted below
        } else if e.eventType == .disconnect, e.outcome != .failure, DetectionWindows.probeEndings.contains(action),
                  action == "closed" || action == "reset" || e.isPreauth {
            // A close with no user: before authentication whether or not sshd says [preauth]
            // (after kex_exchange_identification it does not).
        } else {
            return 0
        }
        guard let pid = e.pid else { return 1 }
        let key = connection(e, pid)
        let t = e.timestamp.microseconds
        // A connection with attempts, or already counted as a probe.
        let found = find(key, t)
        if found.recent != nil { return 0 }
        remember(key, Attempt(kinds: 0, time: t, source: e.sourceIP, counted: 0), at: found.index)
        return 1
    }

    /// `e` with its source replaced by the address a PAM host name stands for (once a
    /// connection showed both), or nil when nothing is to change: the common case copies nothing.
    func withCanonicalSource(_ e: LogEvent) -> LogEvent? {
        guard !aliases.isEmpty, let s = e.sourceIP, let address = aliases[s] else { return nil }
        var c = e
        c.sourceIP = address
        return c
    }

    /// IPv4 or IPv6 text (digits, dots, colons and hex), as opposed to a host name.
    static func looksLikeAddress(_ s: String) -> Bool {
        var sawColon = false, sawLetter = false
        for c in s.utf8 {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."): continue
            case UInt8(ascii: ":"): sawColon = true
            case UInt8(ascii: "a")...UInt8(ascii: "f"), UInt8(ascii: "A")...UInt8(ascii: "F"): sawLetter = true
            default: return false
            }
        }
        return !sawLetter || sawColon
    }

    /// A connection that an authenticating (or unknown) user drops before logging in, that the
    /// client closes for want of a method that works, or that closes after the server refused
    /// its keys, with no attempt counted on it: an attempt too (some setups log only the
    /// disconnect; a key-scanning bot logs only refused keys and the close, which fail2ban's
    /// aggressive mode counts). After counted attempts it is their epilogue and weighs nothing.
    private mutating func abandonedAttemptWeight(_ e: LogEvent, anyOutcome: Bool = false) -> Double {
        guard e.eventType == .disconnect, e.isPreauth, let pid = e.pid else { return 0 }
        let key = connection(e, pid)
        let found = find(key, e.timestamp.microseconds)
        let before = found.recent
        guard anyOutcome || e.user != nil || before?.keyOffered == true else { return 0 }
        if let b = before, b.counted > 0 { return 0 }
        remember(key, Attempt(kinds: 0, time: e.timestamp.microseconds, source: e.sourceIP, keyOffered: before?.keyOffered ?? false),
                 at: found.index)
        return 1
    }

    /// Updates the windows with `e` and returns its counts (this event included).
    mutating func observe(_ e: LogEvent) -> Counts {
        observe(e, source: e.sourceIP.map(HashedName.init))
    }

    /// ``observe(_:)`` with `e`'s source already made a key (`e.sourceIP`'s, or nil).
    /// A `displaced` event (see ``TimeJumpGuard``) counts no earlier than each window's newest.
    mutating func observe(_ e: LogEvent, source: HashedName?, displaced: Bool = false) -> Counts {
        let t = e.timestamp.microseconds
        if t > now { now = t }
        seen += 1
        if seen % 20_000 == 0 || sourceFailures.count > maxKeys || userKind.count > maxKeys { sweep() }
        let weight = failureWeight(e)
        var srcCount = 0.0
        // One lookup each, changed in place in its table (a copy taken out would make every
        // change copy the window).
        if let s = source {
            if weight > 0 {
                let i = sourceFailures.index(forKey: s) { SlidingCounts(resolution: 1_000_000) }
                srcCount = sourceFailures.withValue(at: i) { $0.adding(t, weight: weight, window: DetectionWindows.tenMinutes, displaced: displaced) }
            } else if let i = sourceFailures.index(forKey: s) {
                let (total, empty) = sourceFailures.withValue(at: i) { c in
                    c.advance(to: t, window: DetectionWindows.tenMinutes, displaced: displaced)
                    return (c.total, c.isEmpty)
                }
                srcCount = total
                if empty { sourceFailures.remove(at: i) }
            }
        }
        var kindCount = 0.0
        if let u = e.user, FeatureExtractor.isScored(e) {
            kindCount = userKind[UserKind(user: u, kind: e.eventType), default: SlidingCounts()]
                .adding(t, weight: Double(e.repeatCount), window: DetectionWindows.hour, displaced: displaced)
        }
        let probe = weight == 0 ? probeWeight(e) : 0
        return Counts(failureWeight: weight, probe: probe, sourceFailures10m: srcCount, userKindLastHour: kindCount)
    }

    /// Forgets keys with nothing left in their window; past ``maxKeys`` still-live keys (a flood
    /// of addresses or names), keeps the busiest half.
    private mutating func sweep() {
        // Over the limit, down to half of it (so the next sweep for size is far off); else only
        // what is over.
        let pressed = sourceFailures.count > maxKeys || userKind.count > maxKeys
        let keepAt = pressed ? maxKeys / 2 : maxKeys
        let now = self.now
        sourceFailures.removeAll(whereValue: { ($0.newest ?? .min) < now - DetectionWindows.tenMinutes })
        userKind.removeAll(whereValue: { ($0.newest ?? .min) < now - DetectionWindows.hour })
        if sourceFailures.count > keepAt { sourceFailures.keepStrongest(keepAt) { $0.total } }
        if userKind.count > keepAt { userKind.keepStrongest(keepAt) { $0.total } }
    }

    /// Keys each window table keeps at most: as many as the sources (a table of 65,536 slots),
    /// since a flood of addresses or names fills these tables as it fills that one.
    var maxKeys = boundedSourceKeys
    /// Connections whose password attempt is remembered (to count its several lines once).
    var attemptsKept: Int { attempts.count }
    /// Connections the table of attempts has room for without growing.
    var attemptsRoom: Int { attempts.capacity }
    /// Keys in the largest window table now.
    var keyCount: Int { max(sourceFailures.count, userKind.count) }
}

/// The newest time of each host, for a sweep over thousands of connections: the host of the
/// connection before is asked first, by comparing names, so that a log of one host (or a few)
/// hashes a name when it changes rather than once or twice per connection (a sweep of 15,000
/// connections hashed 45,000 names: 14 % of the time of a flood of new connections).
struct NewestByHost {
    private var table = RecentKeyDictionary<String?, Int64>()

    /// Notes a time of `host`.
    mutating func note(_ t: Int64, host: String?) {
        let i = table.index(forKey: host) { t }
        table.withValue(at: i) { $0 = max($0, t) }
    }

    /// The newest time noted for `host` (`.min` for a host never noted).
    mutating func time(of host: String?) -> Int64 {
        guard let i = table.index(forKey: host) else { return .min }
        return table.table.values[i]
    }
}
