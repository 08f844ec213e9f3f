/// Counts that need a little memory of the recent past, computed identically at training and at
/// detection: how much a failed login weighs (one attempt logged as two lines counts once), the
/// failures from a source in the last 10 minutes, and a user's events of one kind in the last hour.
struct DetectionWindows {
    struct Counts {
        /// What this event adds to its source's failed-login count (0 for non-failures).
        var failureWeight: Double
        var sourceFailures10m: Double
        var userKindLastHour: Double
    }

    private struct Companion {
        var action: String
        var time: Int64
        var paired: Bool
        var source: String?
        /// A failed attempt on this connection has been counted already.
        var counted = false
    }

    private var companions: [SSHSessionTracker.Key: Companion] = [:]
    /// Host names PAM logged (`rhost=` under sshd's UseDNS) for the addresses sshd logged on the
    /// same connection: later lines with the name count for the address.
    private(set) var aliases: [String: String] = [:]
    private var sourceFailures: [String: SlidingCounts] = [:]
    private var userKind: [String: SlidingCounts] = [:]
    private var seen = 0
    private var now: Int64 = .min

    static let tenMinutes = micros(600)
    static let hour = micros(3600)
    static let pairing = micros(5)

    /// The weight of a failed login: 1 per attempt. Refused public keys (clients offer several)
    /// and summary lines ("maximum authentication attempts exceeded") weigh nothing; PAM's line
    /// and sshd's line for one password, or "Invalid user" and "Failed password for invalid
    /// user" from one process within seconds, count once.
    mutating func failureWeight(_ e: LogEvent) -> Double {
        if e.outcome != .failure {
            return abandonedAttemptWeight(e)
        }
        var w: Double
        switch e.eventType {
        case .login, .disconnect:
            switch e.action {
            case "failed": w = e.authMethod == "publickey" ? 0 : 1
            // Summaries of failures sshd logged one by one already ("PAM 5 more authentication failures").
            case "max_auth_attempts", "too_many_failures", "too_many_failures_repeat", "pam_more_failures": w = 0
            default: w = 1
            }
        default:
            return 0
        }
        guard w > 0, let pid = e.pid, let action = e.action else { return w }
        let key = SSHSessionTracker.Key(host: e.host, pid: pid)
        let t = e.timestamp.microseconds
        if var c = companions[key], !c.paired, t - c.time <= DetectionWindows.pairing,
           (action == "failed" && (c.action == "pam_auth_failure" || c.action == "invalid_user"))
            || (action == "pam_auth_failure" && c.action == "failed") {
            c.paired = true
            companions[key] = c
            w = 0
            // PAM named the peer by host name and sshd by address: one peer. From now on the
            // name counts as the address; this attempt counts for the address (the name keeps
            // the one it got, too few to matter).
            if let a = c.source, let b = e.sourceIP, a != b {
                let aIsName = !DetectionWindows.looksLikeAddress(a), bIsName = !DetectionWindows.looksLikeAddress(b)
                if aIsName != bIsName {
                    let (name, address) = aIsName ? (a, b) : (b, a)
                    if aliases.count > 50_000 { aliases.removeAll(keepingCapacity: true) }
                    aliases[name] = address
                    if aIsName { w = 1 }
                }
            }
        } else {
            if companions.count > 50_000 { companions.removeAll(keepingCapacity: true) }
            companions[key] = Companion(action: action, time: t, paired: false, source: e.sourceIP, counted: true)
        }
        return w
    }

    /// The address a PAM host name stands for, once a connection showed both.
    func canonicalSource(_ s: String) -> String? { aliases.isEmpty ? nil : aliases[s] }

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

    /// A connection that an authenticating (or unknown) user drops before logging in, with no
    /// failure logged for it, is an attempt too: some setups log only the disconnect.
    private mutating func abandonedAttemptWeight(_ e: LogEvent) -> Double {
        guard e.eventType == .disconnect, e.user != nil, e.message.hasSuffix("[preauth]"), let pid = e.pid else { return 0 }
        let key = SSHSessionTracker.Key(host: e.host, pid: pid)
        if let c = companions[key], c.counted, e.timestamp.microseconds - c.time <= DetectionWindows.tenMinutes { return 0 }
        return 1
    }

    /// Updates the windows with `e` and returns its counts (this event included).
    mutating func observe(_ e: LogEvent) -> Counts {
        let t = e.timestamp.microseconds
        if t > now { now = t }
        seen += 1
        if seen % 20_000 == 0 { sweep() }
        let weight = failureWeight(e)
        var srcCount = 0.0
        if let s = e.sourceIP {
            var sc = sourceFailures[s] ?? SlidingCounts(resolution: 1_000_000)
            if weight > 0 { sc.add(t, weight: weight) }
            sc.prune(before: t - DetectionWindows.tenMinutes)
            srcCount = sc.total
            if !sc.isEmpty { sourceFailures[s] = sc } else { sourceFailures[s] = nil }
        }
        var kindCount = 0.0
        if let u = e.user, FeatureExtractor.isScored(e) {
            let key = u + "\u{1F}" + e.eventType.rawValue
            var kc = userKind[key] ?? SlidingCounts()
            kc.add(t)
            kc.prune(before: t - DetectionWindows.hour)
            kindCount = kc.total
            userKind[key] = kc
        }
        return Counts(failureWeight: weight, sourceFailures10m: srcCount, userKindLastHour: kindCount)
    }

    /// Forgets keys with nothing left in their window.
    private mutating func sweep() {
        let now = self.now
        sourceFailures = sourceFailures.filter { ($0.value.newest ?? .min) >= now - DetectionWindows.tenMinutes }
        userKind = userKind.filter { ($0.value.newest ?? .min) >= now - DetectionWindows.hour }
    }
}
