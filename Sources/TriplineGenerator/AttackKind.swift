import TriplineCore

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

    /// ATT&CK technique ids: the same as the detector's kind of the same name.
    public var techniques: [String] { AnomalyKind(rawValue: rawValue)?.techniques ?? [] }

    /// Whether the syslog form shows it (bulk file access exists only in structured logs).
    public var inSyslog: Bool { self != .bulkDataAccess }
}
