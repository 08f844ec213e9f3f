/// The attack scenarios the generator plants, with the MITRE ATT&CK techniques they map to.
public enum AttackKind: String, CaseIterable, Sendable, Codable {
    case bruteForce = "brute_force"
    case slowBruteForce = "slow_brute_force"
    case passwordSpraying = "password_spraying"
    case userEnumeration = "user_enumeration"
    case successAfterFailures = "success_after_failures"
    case accountTakeover = "account_takeover"
    case privilegeEscalation = "privilege_escalation"
    case serviceAccountMisuse = "service_account_misuse"
    case bulkDataAccess = "bulk_data_access"

    /// ATT&CK technique ids.
    public var techniques: [String] {
        switch self {
        case .bruteForce, .slowBruteForce: return ["T1110.001"]
        case .passwordSpraying: return ["T1110.003"]
        case .userEnumeration: return ["T1087", "T1110"]
        case .successAfterFailures: return ["T1110", "T1078"]
        case .accountTakeover: return ["T1078"]
        case .privilegeEscalation: return ["T1548.003"]
        case .serviceAccountMisuse: return ["T1078.003"]
        case .bulkDataAccess: return ["T1005", "T1039"]
        }
    }

    /// Whether the syslog form shows it (bulk file access exists only in structured logs).
    public var inSyslog: Bool { self != .bulkDataAccess }
}
