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
        features(e, userKnown: baseline != nil, sourceKnown: sourceKnown(e, baseline: baseline), hourShare: { baseline?.hourShare($0) ?? 0 },
                 sourceFailures10m: sourceFailures10m, userKindEventsLastHour: userKindEventsLastHour)
    }

    /// `source_known_for_user`: 1 for a source the user's baseline has, 0.5 for one of its
    /// networks, 0 for neither; 1 (neutral) with no address, as sudo and su have, and 0 with no
    /// baseline.
    static func sourceKnown(_ e: LogEvent, baseline: UserBaseline?) -> Double {
        var sourceKnown = e.sourceIP == nil ? 1.0 : 0.0
        if let b = baseline, let s = e.sourceIP { sourceKnown = b.sources[s] != nil ? 1 : (b.networks[networkPrefix(s)] != nil ? 0.5 : 0) }
        return sourceKnown
    }

    /// ``features(_:baseline:sourceFailures10m:userKindEventsLastHour:)`` from what the
    /// baseline says rather than the baseline itself (a detector keeps that for the last user
    /// and source: see ``Detector/BaselineFacts``).
    static func features(_ e: LogEvent, userKnown: Bool, sourceKnown: Double, hourShare: (Int) -> Double, sourceFailures10m: Double,
                         userKindEventsLastHour: Double) -> [Double] {
        let secs = e.timestamp.wholeSeconds
        let hourFloat = Double(((secs % 86_400) + 86_400) % 86_400) / 3600
        let day = Int((secs >= 0 ? secs : secs - 86_399) / 86_400)
        let weekday = ((day % 7) + 7 + 3) % 7 // 1970-01-01 was a Thursday; 0 = Monday
        let angle = hourFloat / 24 * 2 * Double.pi
        let isPriv = e.eventType == .sudo || e.eventType == .su
        return [
            sin(angle), cos(angle), weekday >= 5 ? 1 : 0,
            e.outcome == .failure ? 1 : 0,
            e.eventType == .login ? 1 : 0, isPriv ? 1 : 0, isDataKind(e.eventType) ? 1 : 0,
            userKnown ? 1 : 0, sourceKnown,
            hourShare(Int(hourFloat)),
            e.authMethod?.hasPrefix("password") == true || e.authMethod?.hasPrefix("keyboard") == true ? 1 : 0,
            e.invalidUser ? 1 : 0,
            log1p(sourceFailures10m), log1p(userKindEventsLastHour),
        ]
    }
}
