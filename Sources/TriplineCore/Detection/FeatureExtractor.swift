import Foundation

/// The per-event feature vector the isolation forest scores. The same code runs at training and
/// at detection, so the two always agree.
public enum FeatureExtractor {
    /// Feature names, in vector order (stored in the model so a mismatch is caught).
    public static let names = [
        "hour_sin", "hour_cos", "weekend", "failure", "is_login", "is_privilege", "is_data",
        "user_known", "source_known_for_user", "user_hour_share", "password_auth", "invalid_user",
        "log_source_failures_10m", "log_user_kind_events_1h",
    ]

    /// Event kinds that are scored: logins, privilege use and data access; session and
    /// connection bookkeeping is not.
    public static func isScored(_ e: LogEvent) -> Bool {
        guard e.user != nil || e.sourceIP != nil else { return false }
        switch e.eventType {
        case .login, .sudo, .su: return true
        case .logout, .sessionOpen, .sessionClose, .connection, .disconnect, .other, .passwordChange, .userChange, .groupChange: return false
        default: return true
        }
    }

    /// Whether the kind is about data (file access and other structured kinds).
    public static func isDataKind(_ t: EventType) -> Bool {
        switch t {
        case .login, .logout, .sessionOpen, .sessionClose, .connection, .disconnect, .other, .sudo, .su,
             .passwordChange, .userChange, .groupChange: return false
        default: return true
        }
    }

    /// The features of `e` given the user's baseline (nil when unknown) and two window counts.
    public static func features(_ e: LogEvent, baseline: UserBaseline?, sourceFailures10m: Double, userKindEventsLastHour: Double) -> [Double] {
        features(Point(e, sourceFailures10m: sourceFailures10m, userKindEventsLastHour: userKindEventsLastHour), baseline: baseline)
    }

    /// What the features of an event are made of, without the rest of the event (its message,
    /// program, file, …): training keeps 100,000 of these until the baselines are complete.
    struct Point {
        var timestamp: Timestamp
        var user: String?
        var sourceIP: String?
        var eventType: EventType
        var failed: Bool
        /// Logged in (or tried) with a password or keyboard-interactive.
        var passwordAuth: Bool
        var invalidUser: Bool
        var sourceFailures10m: Double
        var userKindEventsLastHour: Double

        init(_ e: LogEvent, sourceFailures10m: Double, userKindEventsLastHour: Double) {
            timestamp = e.timestamp
            user = e.user
            sourceIP = e.sourceIP
            eventType = e.eventType
            failed = e.outcome == .failure
            passwordAuth = FeatureExtractor.passwordAuth(e)
            invalidUser = e.invalidUser
            self.sourceFailures10m = sourceFailures10m
            self.userKindEventsLastHour = userKindEventsLastHour
        }
    }

    /// The features of `p` given the user's baseline (nil when unknown).
    static func features(_ p: Point, baseline: UserBaseline?) -> [Double] {
        features(timestamp: p.timestamp, eventType: p.eventType, failed: p.failed, passwordAuth: p.passwordAuth, invalidUser: p.invalidUser,
                 userKnown: baseline != nil, sourceKnown: sourceKnown(p.sourceIP, baseline: baseline), hourShare: { baseline?.hourShare($0) ?? 0 },
                 sourceFailures10m: p.sourceFailures10m, userKindEventsLastHour: p.userKindEventsLastHour)
    }

    /// `source_known_for_user`: 1 for a source the user's baseline has, 0.5 for one of its
    /// networks, 0 for neither; 1 (neutral) with no address, as sudo and su have, and 0 with no
    /// baseline.
    static func sourceKnown(_ source: String?, baseline: UserBaseline?) -> Double {
        var sourceKnown = source == nil ? 1.0 : 0.0
        if let b = baseline, let s = source { sourceKnown = b.sources[s] != nil ? 1 : (b.networks[networkPrefix(s)] != nil ? 0.5 : 0) }
        return sourceKnown
    }

    /// Whether `e` logged in (or tried) with a password or keyboard-interactive.
    static func passwordAuth(_ e: LogEvent) -> Bool {
        e.authMethod?.hasPrefix("password") == true || e.authMethod?.hasPrefix("keyboard") == true
    }

    /// ``features(_:baseline:sourceFailures10m:userKindEventsLastHour:)`` from what the
    /// baseline says rather than the baseline itself (a detector keeps that for the last user
    /// and source: see ``Detector/BaselineFacts``).
    static func features(_ e: LogEvent, userKnown: Bool, sourceKnown: Double, hourShare: (Int) -> Double, sourceFailures10m: Double,
                         userKindEventsLastHour: Double) -> [Double] {
        features(timestamp: e.timestamp, eventType: e.eventType, failed: e.outcome == .failure, passwordAuth: passwordAuth(e),
                 invalidUser: e.invalidUser, userKnown: userKnown, sourceKnown: sourceKnown, hourShare: hourShare,
                 sourceFailures10m: sourceFailures10m, userKindEventsLastHour: userKindEventsLastHour)
    }

    /// The vector itself, from what an event's features are made of.
    @inline(__always)
    private static func features(timestamp: Timestamp, eventType: EventType, failed: Bool, passwordAuth: Bool, invalidUser: Bool,
                                 userKnown: Bool, sourceKnown: Double, hourShare: (Int) -> Double, sourceFailures10m: Double,
                                 userKindEventsLastHour: Double) -> [Double] {
        let secs = timestamp.wholeSeconds
        let hourFloat = Double(((secs % 86_400) + 86_400) % 86_400) / 3600
        let day = Int((secs >= 0 ? secs : secs - 86_399) / 86_400)
        let weekday = ((day % 7) + 7 + 3) % 7 // 1970-01-01 was a Thursday; 0 = Monday
        let angle = hourFloat / 24 * 2 * Double.pi
        let isPriv = eventType == .sudo || eventType == .su
        return [
            sin(angle), cos(angle), weekday >= 5 ? 1 : 0,
            failed ? 1 : 0,
            eventType == .login ? 1 : 0, isPriv ? 1 : 0, isDataKind(eventType) ? 1 : 0,
            userKnown ? 1 : 0, sourceKnown,
            hourShare(Int(hourFloat)),
            passwordAuth ? 1 : 0,
            invalidUser ? 1 : 0,
            log1p(sourceFailures10m), log1p(userKindEventsLastHour),
        ]
    }
}
