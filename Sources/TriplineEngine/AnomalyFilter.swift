import TriplineCore

/// Which anomalies a caller wants: the REST API's `GET /anomalies` query and MCP's
/// `list_anomalies` arguments. Every field is optional; all given ones must hold.
public struct AnomalyFilter: Sendable, Equatable {
    /// At or above this severity.
    public var minimumSeverity: Severity?
    /// Exactly this kind.
    public var kind: AnomalyKind?
    /// This user (exact, case-sensitive as logged).
    public var user: String?
    /// This source address (or the name sshd logged in its place).
    public var sourceIP: String?
    /// Seen on this host (the machine that logged it; case-insensitive, host names are).
    public var host: String?
    /// Seen at or after this time (the incident's last event).
    public var since: Timestamp?
    /// Started before this time.
    public var until: Timestamp?
    /// At most this many, newest first.
    public var limit: Int

    public static let defaultLimit = 100
    public static let maximumLimit = 10_000

    public init(minimumSeverity: Severity? = nil, kind: AnomalyKind? = nil, user: String? = nil, sourceIP: String? = nil,
                host: String? = nil, since: Timestamp? = nil, until: Timestamp? = nil, limit: Int = AnomalyFilter.defaultLimit) {
        self.minimumSeverity = minimumSeverity
        self.kind = kind
        self.user = user
        self.sourceIP = sourceIP
        self.host = host
        self.since = since
        self.until = until
        self.limit = limit
    }

    /// True when `a` passes every condition.
    public func matches(_ a: Anomaly) -> Bool {
        matches(severity: a.severity, kind: a.kind, user: a.user, sourceIP: a.sourceIP, host: a.host, start: a.start, lastSeen: a.lastSeen)
    }

    /// True when an anomaly with these fields passes every condition.
    func matches(severity: Severity, kind: AnomalyKind, user: String?, sourceIP: String?, host: String?, start: Timestamp, lastSeen: Timestamp) -> Bool {
        if let s = minimumSeverity, severity < s { return false }
        if let k = self.kind, kind != k { return false }
        if let u = self.user, user != u { return false }
        if let ip = self.sourceIP, sourceIP != ip { return false }
        if let h = self.host, host?.lowercased() != h.lowercased() { return false }
        if let t = since, lastSeen < t { return false }
        if let t = until, start >= t { return false }
        return true
    }

    /// A problem with one filter value, naming the parameter and what it accepts.
    public struct Problem: Error, CustomStringConvertible, Equatable {
        public let parameter: String
        public let message: String
        public var description: String { "\(parameter): \(message)" }
    }

    /// Builds a filter from text parameters (query strings, tool arguments); unknown severities,
    /// kinds, times or limits are problems that say what is accepted.
    public static func parse(severity: String?, kind: String?, user: String?, sourceIP: String?, host: String? = nil,
                             since: String?, until: String?, limit: String?) throws(Problem) -> AnomalyFilter {
        var f = AnomalyFilter()
        // Given but empty is a mistake for these (an empty user or address just matches nothing).
        if let s = severity {
            guard let v = Severity(rawValue: s.lowercased()) else {
                throw Problem(parameter: "severity", message: "'\(s)' is not a severity; use one of \(Severity.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            f.minimumSeverity = v
        }
        if let k = kind {
            guard let v = AnomalyKind(rawValue: k) else {
                throw Problem(parameter: "kind", message: "'\(k)' is not a kind; use one of \(AnomalyKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            f.kind = v
        }
        if let u = user, !u.isEmpty { f.user = u }
        if let ip = sourceIP, !ip.isEmpty { f.sourceIP = ip }
        if let h = host, !h.isEmpty { f.host = h }
        for (name, text) in [("since", since), ("until", until)] {
            guard let text else { continue }
            guard let t = Timestamp(iso8601: text) else {
                throw Problem(parameter: name, message: "'\(text)' is not an ISO 8601 time such as 2026-03-05T14:00:00Z")
            }
            if name == "since" { f.since = t } else { f.until = t }
        }
        if let l = limit {
            guard let n = Int(l), n >= 1, n <= maximumLimit else {
                throw Problem(parameter: "limit", message: "'\(l)' is not a whole number from 1 to \(maximumLimit)")
            }
            f.limit = n
        }
        return f
    }
}
