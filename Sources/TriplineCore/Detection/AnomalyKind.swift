/// The kinds of incident Tripline reports, each with its MITRE ATT&CK techniques.
public enum AnomalyKind: String, Sendable, Hashable, Codable, CaseIterable {
    case bruteForce = "brute_force"
    case slowBruteForce = "slow_brute_force"
    case passwordSpraying = "password_spraying"
    case userEnumeration = "user_enumeration"
    case successAfterFailures = "success_after_failures"
    case accountTakeover = "account_takeover"
    case privilegeEscalation = "privilege_escalation"
    case serviceAccountMisuse = "service_account_misuse"
    case bulkDataAccess = "bulk_data_access"
    /// Many connections from one source that never try to log in: a scan (at most `medium`).
    case reconnaissance = "reconnaissance"
    /// Events the isolation forest finds unusual, with no rule behind them (at most `low`).
    case unusualActivity = "unusual_activity"

    /// ATT&CK technique ids.
    public var techniques: [String] {
        switch self {
        case .bruteForce: return ["T1110.001"]
        case .slowBruteForce: return ["T1110.001"]
        case .passwordSpraying: return ["T1110.003"]
        case .userEnumeration: return ["T1087", "T1110"]
        case .successAfterFailures: return ["T1110", "T1078"]
        case .accountTakeover: return ["T1078"]
        case .privilegeEscalation: return ["T1548.003"]
        case .serviceAccountMisuse: return ["T1078.003"]
        case .bulkDataAccess: return ["T1005", "T1039"]
        case .reconnaissance: return ["T1595", "T1046"]
        case .unusualActivity: return []
        }
    }

    /// A short label for people.
    public var title: String {
        switch self {
        case .bruteForce: return "brute force"
        case .slowBruteForce: return "slow brute force"
        case .passwordSpraying: return "password spraying"
        case .userEnumeration: return "user enumeration"
        case .successAfterFailures: return "success after failures"
        case .accountTakeover: return "account takeover"
        case .privilegeEscalation: return "privilege escalation"
        case .serviceAccountMisuse: return "service account misuse"
        case .bulkDataAccess: return "bulk data access"
        case .reconnaissance: return "reconnaissance"
        case .unusualActivity: return "unusual activity"
        }
    }

    /// Whether the incident is about a source address (else about a user).
    public var isSourceScoped: Bool {
        switch self {
        case .bruteForce, .slowBruteForce, .passwordSpraying, .userEnumeration, .reconnaissance: return true
        default: return false
        }
    }
}
