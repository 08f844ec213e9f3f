/// What normal looks like for one user, learnt at training time: when they work, from where,
/// on which hosts, how they log in, what they do and how much.
public struct UserBaseline: Sendable, Codable, Hashable {
    /// Events seen.
    public var events: Int = 0
    /// Activity per hour of day (UTC), 24 counts.
    public var hours: [Int] = Array(repeating: 0, count: 24)
    /// Activity on Saturdays and Sundays.
    public var weekendEvents: Int = 0
    /// Sources seen, with counts (the most frequent, capped).
    public var sources: [String: Int] = [:]
    /// Networks seen (IPv4 /16, IPv6 /48, DNS parent domain), with counts.
    public var networks: [String: Int] = [:]
    /// Hosts used, with counts.
    public var hosts: [String: Int] = [:]
    /// Login methods used (`password`, `publickey`, …), with counts of successful logins.
    public var methods: [String: Int] = [:]
    /// Event kinds, with counts.
    public var eventTypes: [String: Int] = [:]
    /// Successful sudo commands.
    public var sudoCount: Int = 0
    /// Failed logins.
    public var failures: Int = 0
    /// Per event kind: events in the user's busiest hours (95th percentile and maximum).
    public var hourlyVolume: [String: HourlyVolume] = [:]
    /// Distinct days active.
    public var activeDays: Int = 0
    /// Distinct hours of the day with activity.
    public var activeHoursOfDay: Int { hours.filter { $0 > 0 }.count }
    /// A service account: logs in with keys from a few places, and either works around the clock
    /// on most days or is named like one (see ``isServiceAccountName(_:)``).
    public var isServiceAccount: Bool = false

    /// Whether an account name follows the usual conventions for service accounts: a `svc`,
    /// `srv`, `sa` or `app` prefix or a `svc`, `bot` or `service` suffix (`svc_backup`,
    /// `deploy-svc`, `sa-ci`), or the name of a tool that runs unattended (`jenkins`, `ansible`,
    /// `backup`, `nagios`, `gitlab-runner`, …).
    public static func isServiceAccountName(_ name: String) -> Bool {
        let n = name.lowercased()
        if serviceNames.contains(n) { return true }
        let parts = n.split(whereSeparator: { $0 == "_" || $0 == "-" || $0 == "." }).map(String.init)
        guard parts.count >= 2, let head = parts.first, let tail = parts.last else {
            return n.hasPrefix("svc") && n.count > 3
        }
        return ["svc", "srv", "sa", "app", "service", "bot", "robot", "ci"].contains(head)
            || ["svc", "bot", "service", "robot", "runner", "agent", "sync", "backup", "deploy", "monitor"].contains(tail)
            || serviceNames.contains(head)
    }

    static let serviceNames: Set<String> = [
        "jenkins", "ansible", "deploy", "deployer", "deployment", "backup", "backups", "monitor", "monitoring",
        "nagios", "zabbix", "prometheus", "grafana", "icinga", "gitlab-runner", "gitlab", "git", "runner",
        "buildbot", "teamcity", "bamboo", "puppet", "chef", "salt", "terraform", "rsync", "replication",
        "postgres", "mysql", "oracle", "redis", "elastic", "kafka", "hadoop", "splunk", "datadog", "www-data",
        "nobody", "daemon", "svc", "service", "automation", "cron", "batch", "etl", "airflow",
    ]

    /// The share of activity in hour `h` (0–23).
    public func hourShare(_ h: Int) -> Double {
        events > 0 ? Double(hours[(h % 24 + 24) % 24]) / Double(max(1, hours.reduce(0, +))) : 0
    }

    /// The share of successful logins made with `method`.
    public func methodShare(_ method: String) -> Double {
        let total = methods.values.reduce(0, +)
        return total > 0 ? Double(methods[method, default: 0]) / Double(total) : 0
    }
}

/// Events per hour of one kind for one user: the 95th percentile and the maximum over the
/// hours the user did any of it.
public struct HourlyVolume: Sendable, Codable, Hashable {
    public var p95: Double
    public var max: Double
}

/// What normal looks like for one source address.
public struct SourceBaseline: Sendable, Codable, Hashable {
    public var events: Int = 0
    public var failures: Int = 0
    /// Users seen from it (capped).
    public var users: [String: Int] = [:]
}

/// What normal looks like for one host.
public struct HostBaseline: Sendable, Codable, Hashable {
    public var events: Int = 0
    public var hours: [Int] = Array(repeating: 0, count: 24)
    /// Users seen on it (capped).
    public var users: [String: Int] = [:]
}

/// The network an address belongs to, for "has this user ever come from around here":
/// IPv4 /16, IPv6 /48, or a host name's parent domain.
public func networkPrefix(_ address: String) -> String {
    // An ASCII IPv4 address with two non-empty leading parts, the usual case: its first two
    // parts and ".0.0/16", built in place in one pass over its bytes (a small string, no
    // allocation; this runs for every scored event whose user has not been seen at its
    // address, most of a stream out of order).
    let fast = address.utf8.withContiguousStorageIfAvailable { b -> String? in
        var dots = 0, colons = 0, first = -1, second = -1
        for i in 0..<b.count {
            let c = b[i]
            if c >= 0x80 || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A) { return nil }
            if c == 0x2E {
                dots += 1
                if first < 0 { first = i } else if second < 0 { second = i }
            } else if c == 0x3A {
                colons += 1
            }
        }
        guard dots == 3, colons < 2, first > 0, second > first + 1 else { return nil }
        let tail = ".0.0/16".utf8
        return String(unsafeUninitializedCapacity: second + tail.count) { buf in
            var n = 0
            for k in 0..<second { buf[n] = b[k]; n += 1 }
            for c in tail { buf[n] = c; n += 1 }
            return n
        }
    }
    if let fast, let prefix = fast { return prefix }
    var dots = 0
    var colons = 0
    var letters = false
    for c in address.utf8 {
        if c == 0x2E { dots += 1 } else if c == 0x3A { colons += 1 } else if (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A, c != 0x3A { letters = true }
    }
    if colons >= 2 {
        let groups = address.split(separator: ":", omittingEmptySubsequences: false)
        return groups.prefix(3).joined(separator: ":") + "::/48"
    }
    if dots == 3, !letters {
        // Not ASCII, or an empty leading part (an ASCII address is built in place above).
        let parts = address.split(separator: ".")
        return parts.prefix(2).joined(separator: ".") + ".0.0/16"
    }
    // A DNS name: its parent domain.
    if let dot = address.firstIndex(of: "."), letters { return String(address[address.index(after: dot)...]) }
    return address
}
