/// The thresholds the detector uses. Defaults start from what the peers use (fail2ban, Wazuh,
/// CrowdSec, Elastic) and are documented field by field; every one can be changed in a config
/// file, and `contamination` / `baseline_days` also from the environment (`CONTAMINATION`,
/// `BASELINE_DAYS`).
public struct DetectionConfig: Sendable, Codable, Hashable {
    /// Failed logins from one source within `bruteForceWindow` that make a brute force
    /// (fail2ban: 5 in 10 minutes).
    public var bruteForceFailures: Double = 5
    /// Seconds.
    public var bruteForceWindow: Double = 600

    /// Distinct accounts one source fails on within `sprayWindow` that make a spray (Elastic's
    /// rule wants more than 10).
    public var sprayMinUsers: Int = 10
    /// Seconds.
    public var sprayWindow: Double = 3600
    /// A spray tries each account only a few times.
    public var sprayMaxPerUser: Double = 3

    /// Distinct non-existent accounts one source tries within `enumerationWindow` (Wazuh 5712:
    /// 8 invalid users in 120 s; scanners are often slower, so the window is wider).
    public var enumerationMinInvalidUsers: Int = 8
    /// Seconds.
    public var enumerationWindow: Double = 600
    /// The share of tried accounts that must be non-existent for enumeration rather than spraying.
    public var enumerationMinInvalidShare: Double = 0.6

    /// Failures from one source over `slowWindow`, spread over at least `slowMinHours` distinct
    /// hours, that make a slow brute force (CrowdSec ssh-slow-bf leaks one per minute; a few an
    /// hour needs a longer memory).
    public var slowMinFailures: Double = 10
    /// Seconds.
    public var slowWindow: Double = 86_400
    /// Distinct hours with failures.
    public var slowMinHours: Int = 3

    /// Failures from a source within `successAfterFailuresWindow` before a success from it that
    /// make the success suspicious.
    public var successAfterFailuresMin: Double = 5
    /// Seconds.
    public var successAfterFailuresWindow: Double = 3600
    /// Seconds: an account's failures this shortly before it logs in from the same source (and
    /// fewer than `successAfterFailuresMin`) are typos, and stop counting towards that source's
    /// slow brute force or spray (an office's shared address adds its people's typos up). 0: never.
    public var typoWindow: Double = 900

    /// Seconds without a new failure after which a source's incident (brute force, spray,
    /// enumeration) is over; a later burst is a new incident that links to it. A slow brute
    /// force waits at least 6 hours.
    public var incidentGap: Double = 1800

    /// Connections from one source within `scanWindow` that never tried to log in (no
    /// identification string, protocol errors, disconnects before authentication) that make a
    /// scan (reconnaissance; at most `medium`).
    public var scanMinProbes: Int = 10
    /// Seconds.
    public var scanWindow: Double = 600

    /// Novelty points (new source 1, new network 1.5, unusual hour 1, new host 0.5, password where
    /// keys are usual 1, weekend for a weekday user 0.5) a login needs to be reported as a
    /// possible takeover on its own; follow-up activity adds to it.
    public var takeoverMinNovelty: Double = 3
    /// Novelty points from which a login is watched for follow-up activity.
    public var takeoverWatchNovelty: Double = 2
    /// Seconds a suspicious login is watched for follow-up activity.
    public var takeoverWatch: Double = 7200

    /// Privilege points (not in sudoers 2, failed sudo 1, failed su 1, PAM sudo failure 0.5,
    /// first sudo ever 1.5, a shell or password change by first-time sudo 2.5) within
    /// `privilegeWindow` that make a privilege escalation attempt.
    public var privilegeMinScore: Double = 2
    /// Seconds.
    public var privilegeWindow: Double = 1800

    /// Misuse points (password login for a key-only account 1, new source 1, new network 0.5,
    /// new host 0.5, interactive shell 1) a service account login needs.
    public var serviceMinScore: Double = 1.5

    /// Events of one kind (file access and other structured kinds) by one user within
    /// `bulkWindow` that can be bulk access at all …
    public var bulkMinEvents: Double = 100
    /// … and how far above the user's usual busiest hour (95th percentile) it must be.
    public var bulkFactor: Double = 10
    /// Seconds.
    public var bulkWindow: Double = 3600

    /// Isolation-forest outliers by one entity within `outlierWindow` that are reported (as `low`).
    public var outlierMinEvents: Int = 3
    /// Seconds.
    public var outlierWindow: Double = 3600

    /// Share of training events the isolation forest treats as outliers.
    public var contamination: Double = 0.01
    /// Train on the first N days of the data only (nil: all of it).
    public var baselineDays: Double?

    /// Events kept per anomaly as evidence (`file:line`).
    public var evidenceLimit: Int = 20

    /// The defaults.
    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case bruteForceFailures = "brute_force_failures", bruteForceWindow = "brute_force_window"
        case sprayMinUsers = "spray_min_users", sprayWindow = "spray_window", sprayMaxPerUser = "spray_max_per_user"
        case enumerationMinInvalidUsers = "enumeration_min_invalid_users", enumerationWindow = "enumeration_window"
        case enumerationMinInvalidShare = "enumeration_min_invalid_share"
        case slowMinFailures = "slow_min_failures", slowWindow = "slow_window", slowMinHours = "slow_min_hours"
        case successAfterFailuresMin = "success_after_failures_min", successAfterFailuresWindow = "success_after_failures_window"
        case typoWindow = "typo_window"
        case scanMinProbes = "scan_min_probes", scanWindow = "scan_window", incidentGap = "incident_gap"
        case takeoverMinNovelty = "takeover_min_novelty", takeoverWatchNovelty = "takeover_watch_novelty", takeoverWatch = "takeover_watch"
        case privilegeMinScore = "privilege_min_score", privilegeWindow = "privilege_window"
        case serviceMinScore = "service_min_score"
        case bulkMinEvents = "bulk_min_events", bulkFactor = "bulk_factor", bulkWindow = "bulk_window"
        case outlierMinEvents = "outlier_min_events", outlierWindow = "outlier_window"
        case contamination, baselineDays = "baseline_days", evidenceLimit = "evidence_limit"
    }

    /// Every key a config file may set.
    public static var keys: [String] { CodingKeys.allCases.map(\.rawValue) }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = DetectionConfig()
        func v<T: Decodable>(_ k: CodingKeys, _ def: T) throws -> T { try c.decodeIfPresent(T.self, forKey: k) ?? def }
        bruteForceFailures = try v(.bruteForceFailures, d.bruteForceFailures)
        bruteForceWindow = try v(.bruteForceWindow, d.bruteForceWindow)
        sprayMinUsers = try v(.sprayMinUsers, d.sprayMinUsers)
        sprayWindow = try v(.sprayWindow, d.sprayWindow)
        sprayMaxPerUser = try v(.sprayMaxPerUser, d.sprayMaxPerUser)
        enumerationMinInvalidUsers = try v(.enumerationMinInvalidUsers, d.enumerationMinInvalidUsers)
        enumerationWindow = try v(.enumerationWindow, d.enumerationWindow)
        enumerationMinInvalidShare = try v(.enumerationMinInvalidShare, d.enumerationMinInvalidShare)
        slowMinFailures = try v(.slowMinFailures, d.slowMinFailures)
        slowWindow = try v(.slowWindow, d.slowWindow)
        slowMinHours = try v(.slowMinHours, d.slowMinHours)
        successAfterFailuresMin = try v(.successAfterFailuresMin, d.successAfterFailuresMin)
        successAfterFailuresWindow = try v(.successAfterFailuresWindow, d.successAfterFailuresWindow)
        typoWindow = try v(.typoWindow, d.typoWindow)
        scanMinProbes = try v(.scanMinProbes, d.scanMinProbes)
        scanWindow = try v(.scanWindow, d.scanWindow)
        incidentGap = try v(.incidentGap, d.incidentGap)
        takeoverMinNovelty = try v(.takeoverMinNovelty, d.takeoverMinNovelty)
        takeoverWatchNovelty = try v(.takeoverWatchNovelty, d.takeoverWatchNovelty)
        takeoverWatch = try v(.takeoverWatch, d.takeoverWatch)
        privilegeMinScore = try v(.privilegeMinScore, d.privilegeMinScore)
        privilegeWindow = try v(.privilegeWindow, d.privilegeWindow)
        serviceMinScore = try v(.serviceMinScore, d.serviceMinScore)
        bulkMinEvents = try v(.bulkMinEvents, d.bulkMinEvents)
        bulkFactor = try v(.bulkFactor, d.bulkFactor)
        bulkWindow = try v(.bulkWindow, d.bulkWindow)
        outlierMinEvents = try v(.outlierMinEvents, d.outlierMinEvents)
        outlierWindow = try v(.outlierWindow, d.outlierWindow)
        contamination = try v(.contamination, d.contamination)
        baselineDays = try c.decodeIfPresent(Double.self, forKey: .baselineDays)
        evidenceLimit = try v(.evidenceLimit, d.evidenceLimit)
    }
}

extension DetectionConfig {
    /// Why a setting could not be applied.
    public enum SettingError: Error, Sendable, Equatable {
        case unknownKey(String)
        case outOfRange(key: String, value: Double, allowed: String)
    }

    nonisolated(unsafe) private static let doubles: [String: (WritableKeyPath<DetectionConfig, Double>, ClosedRange<Double>)] = [
        "brute_force_failures": (\.bruteForceFailures, 1...100_000), "brute_force_window": (\.bruteForceWindow, 1...86_400),
        "spray_window": (\.sprayWindow, 1...604_800), "spray_max_per_user": (\.sprayMaxPerUser, 1...1000),
        "enumeration_window": (\.enumerationWindow, 1...604_800), "enumeration_min_invalid_share": (\.enumerationMinInvalidShare, 0...1),
        "slow_min_failures": (\.slowMinFailures, 1...1_000_000), "slow_window": (\.slowWindow, 60...2_592_000),
        "success_after_failures_min": (\.successAfterFailuresMin, 1...100_000), "success_after_failures_window": (\.successAfterFailuresWindow, 1...604_800),
        "typo_window": (\.typoWindow, 0...86_400), "scan_window": (\.scanWindow, 1...86_400), "incident_gap": (\.incidentGap, 60...604_800),
        "takeover_min_novelty": (\.takeoverMinNovelty, 0.5...10), "takeover_watch_novelty": (\.takeoverWatchNovelty, 0.5...10),
        "takeover_watch": (\.takeoverWatch, 60...604_800), "privilege_min_score": (\.privilegeMinScore, 0.5...100),
        "privilege_window": (\.privilegeWindow, 60...604_800), "service_min_score": (\.serviceMinScore, 0.5...10),
        "bulk_min_events": (\.bulkMinEvents, 1...10_000_000), "bulk_factor": (\.bulkFactor, 1...10_000), "bulk_window": (\.bulkWindow, 60...604_800),
        "outlier_window": (\.outlierWindow, 60...604_800), "contamination": (\.contamination, 0.0001...0.49),
    ]
    nonisolated(unsafe) private static let ints: [String: (WritableKeyPath<DetectionConfig, Int>, ClosedRange<Int>)] = [
        "spray_min_users": (\.sprayMinUsers, 2...100_000), "enumeration_min_invalid_users": (\.enumerationMinInvalidUsers, 2...100_000),
        "slow_min_hours": (\.slowMinHours, 1...720), "scan_min_probes": (\.scanMinProbes, 2...1_000_000), "outlier_min_events": (\.outlierMinEvents, 1...100_000), "evidence_limit": (\.evidenceLimit, 1...10_000),
    ]

    /// The first setting out of its range, or nil (a model file's settings are checked as a
    /// config file's are: a window of 0 would divide by zero).
    public var problem: String? {
        for (key, (path, range)) in DetectionConfig.doubles.sorted(by: { $0.key < $1.key }) where !range.contains(self[keyPath: path]) {
            return "\(key) is \(self[keyPath: path]), not \(range.lowerBound) to \(range.upperBound)"
        }
        for (key, (path, range)) in DetectionConfig.ints.sorted(by: { $0.key < $1.key }) where !range.contains(self[keyPath: path]) {
            return "\(key) is \(self[keyPath: path]), not \(range.lowerBound) to \(range.upperBound)"
        }
        if let d = baselineDays, !(d > 0 && d <= 3660) { return "baseline_days is \(d)" }
        return nil
    }

    /// One setting by its config-file name (nil for an unset `baseline_days` or an unknown key).
    public func get(_ key: String) -> Double? {
        if key == "baseline_days" { return baselineDays }
        if let (path, _) = DetectionConfig.doubles[key] { return self[keyPath: path] }
        if let (path, _) = DetectionConfig.ints[key] { return Double(self[keyPath: path]) }
        return nil
    }

    /// Sets one setting by its config-file name, checking its range.
    public mutating func set(_ key: String, to value: Double) throws(SettingError) {
        if key == "baseline_days" {
            guard value > 0, value <= 3660 else { throw .outOfRange(key: key, value: value, allowed: "more than 0, at most 3660") }
            baselineDays = value
        } else if let (path, range) = DetectionConfig.doubles[key] {
            guard range.contains(value) else { throw .outOfRange(key: key, value: value, allowed: "\(range.lowerBound) to \(range.upperBound)") }
            self[keyPath: path] = value
        } else if let (path, range) = DetectionConfig.ints[key] {
            guard value == value.rounded(), range.contains(Int(value)) else {
                throw .outOfRange(key: key, value: value, allowed: "a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            self[keyPath: path] = Int(value)
        } else {
            throw .unknownKey(key)
        }
    }
}

/// Thresholds held by reference, where many values would each hold the same 256 bytes.
final class SharedConfig: Sendable {
    let value: DetectionConfig
    init(_ value: DetectionConfig) { self.value = value }
}
