import TriplineCore

/// The attacks the generator plants: the detector's kinds of incident, bar the isolation
/// forest's `unusual_activity` (which names no attack). One list of kinds for both.
public typealias AttackKind = AnomalyKind

extension AnomalyKind {
    /// The kinds the generator plants, in planning order.
    public static var attacks: [AnomalyKind] { allCases.filter { $0 != .unusualActivity } }

    /// Whether the syslog form shows it (bulk file access exists only in structured logs).
    public var inSyslog: Bool { self != .bulkDataAccess }

    /// Whether the NDJSON form shows it (the prototype's schema records logins, sudo and file
    /// access, not connections that never log in).
    public var inNDJSON: Bool { self != .reconnaissance }
}
