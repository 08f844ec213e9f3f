/// The detection engine: feed it events in time order, one at a time, and it keeps the state
/// its rules need (bounded windows per source and user), opens and extends incidents, and closes
/// them when they go quiet. `tripline analyze` feeds it a file; the live dashboard feeds it line
/// by line — the same code, the same anomalies.
///
/// Rules: brute force, slow brute force, password spraying and user enumeration per source;
/// success after failures; account takeover and service-account misuse against the user's
/// baseline; privilege escalation; bulk data access; and isolation-forest outliers, which on
/// their own are at most `low`.
public struct Detector {
    /// The model (baselines and forest); nil runs the rules that need no history.
    public private(set) var model: TriplineModel?
    /// The thresholds.
    public private(set) var config: DetectionConfig

    var windows = DetectionWindows()
    var book: IncidentBook
    var sources: [String: SourceState] = [:]
    var users: [String: UserState] = [:]
    var now: Int64 = .min
    var lastSweep: Int64 = .min
    var lastCollect: Int64 = .min
    var eventsAtCollect = 0
    /// The model's forest, laid out for fast scoring.
    private(set) var forest: CompiledForest?
    /// Events processed.
    public private(set) var eventsProcessed = 0
    /// Events the isolation forest scored, and how many it called outliers.
    public internal(set) var eventsScored = 0
    public internal(set) var outlierEvents = 0

    /// A detector with a model (or none) and thresholds (default: the model's, else the defaults).
    public init(model: TriplineModel?, config: DetectionConfig? = nil) {
        self.init(model: model, config: config, compiled: model?.forest.map(CompiledForest.init))
    }

    /// A detector with the model's forest compiled already (servers compile it once per model,
    /// not once per request).
    public init(model: TriplineModel?, config: DetectionConfig?, compiled: CompiledForest?) {
        self.model = model
        self.config = config ?? model?.config ?? DetectionConfig()
        self.book = IncidentBook(evidenceLimit: self.config.evidenceLimit)
        self.forest = compiled
    }

    /// Swaps in a newly trained model; windows and open incidents carry on. `config` replaces
    /// the thresholds too (the new model's, with a config file's settings laid over them).
    public mutating func replaceModel(_ m: TriplineModel, config: DetectionConfig? = nil) {
        model = m
        forest = m.forest.map(CompiledForest.init)
        if let config { self.config = config }
        book.evidenceLimit = self.config.evidenceLimit
    }

    /// Processes one event.
    public mutating func process(_ event: LogEvent) {
        // A PAM host name known to stand for an address counts as that address (copying the
        // event only then: this is the hot path).
        if let e = windows.withCanonicalSource(event) { processCanonical(e) } else { processCanonical(event) }
    }

    private mutating func processCanonical(_ e: LogEvent) {
        eventsProcessed += 1
        let t = e.timestamp.microseconds
        if t > now { now = t }
        let counts = windows.observe(e)

        if let s = e.sourceIP, counts.failureWeight > 0 || (e.invalidUser && e.outcome == .failure) {
            sourceFailure(e, source: s, weight: counts.failureWeight, unknownAccount: isUnknownAccount(e))
        }
        if e.eventType == .login, e.outcome == .success, let u = e.user {
            successfulLogin(e, user: u)
        }
        if e.eventType == .sudo || e.eventType == .su, let u = e.user {
            privilege(e, user: u)
        }
        if FeatureExtractor.isDataKind(e.eventType), let u = e.user {
            dataAccess(e, user: u)
        }
        if let forest, FeatureExtractor.isScored(e) {
            outliers(e, forest: forest, counts: counts)
        }
        if lastSweep == .min { lastSweep = now } else if now - lastSweep > micros(60) { sweep() }
    }

    /// Anomalies opened, updated or closed since the last call.
    public mutating func drainChanges() -> [Anomaly] { book.drainChanges() }

    /// Ends the input: closes every incident and returns all anomalies, oldest first.
    public mutating func finish() -> [Anomaly] {
        book.closeAll()
        return book.closed.sorted { ($0.start, $0.id) < ($1.start, $1.id) }
    }

    /// Closes quiet incidents (every minute of log time) and, less often, forgets state nothing
    /// refers to any more (every ten minutes of log time with enough new events, or when the
    /// tables grow large), so the cost stays proportional to the input.
    mutating func sweep() {
        lastSweep = now
        book.expire(now: now)
        if lastCollect == .min { lastCollect = now }
        let due = (now - lastCollect > micros(600) && eventsProcessed - eventsAtCollect > 20_000) || sources.count + users.count > 200_000
        guard due else { return }
        lastCollect = now
        eventsAtCollect = eventsProcessed
        let keep = micros(max(config.slowWindow, config.sprayWindow, config.successAfterFailuresWindow))
        sources = sources.filter { $0.value.lastActivity >= now - keep }
        let userKeep = micros(max(config.takeoverWatch, config.privilegeWindow, config.bulkWindow, config.outlierWindow))
        users = users.filter { $0.value.lastActivity >= now - userKeep }
    }

    /// Whether the event names an account that does not exist: sshd says so; for structured
    /// sources, which do not, an account the model never saw do anything is taken as one.
    func isUnknownAccount(_ e: LogEvent) -> Bool {
        if e.invalidUser { return true }
        guard e.program == nil, let m = model, let u = e.user else { return false }
        return m.users[u] == nil
    }

    /// The user's baseline, when the model has one.
    func baseline(_ user: String) -> UserBaseline? { model?.users[user] }
}

/// What the detector remembers about one source.
struct SourceState {
    struct Failure {
        var time: Int64
        var user: String?
        var invalid: Bool
        var weight: Double
        /// Where it was logged, for the evidence of an incident that opens later.
        var file: String? = nil
        var line: Int = 0
        /// A typo: the same account logged in from the same source soon after.
        var forgiven = false
    }

    /// Failures within the longest short window, oldest first (capped).
    var failures: [Failure] = []
    /// Weighted failures per hour index, within the slow window.
    var hourly: [Int64: Double] = [:]
    /// The first counted failure in each of those hours (a slow brute force starts there).
    var hourlyFirst: [Int64: Int64] = [:]
    var lastActivity: Int64 = .min
    static let cap = 4000

    mutating func add(_ f: Failure, keep: Int64, slowKeep: Int64) {
        failures.append(f)
        let cutoff = f.time - keep
        if failures.count > SourceState.cap || (failures.first?.time ?? f.time) < cutoff {
            let drop = failures.firstIndex { $0.time >= cutoff } ?? failures.count
            let over = max(drop, failures.count - SourceState.cap)
            failures.removeFirst(over)
        }
        let hour = f.time / 3_600_000_000
        hourly[hour, default: 0] += f.weight
        if f.weight > 0, hourlyFirst[hour] == nil { hourlyFirst[hour] = f.time }
        if hourly.count > 30 {
            hourly = hourly.filter { $0.key * 3_600_000_000 >= f.time - slowKeep }
            hourlyFirst = hourlyFirst.filter { hourly[$0.key] != nil }
        }
        lastActivity = max(lastActivity, f.time)
    }

    /// Failures counted (not forgiven as typos) since `since`, by the hour.
    func recentFailures(since: Int64) -> Double {
        let from = since / 3_600_000_000
        return hourly.reduce(0) { $0 + ($1.key >= from ? $1.value : 0) }
    }

    /// Takes `user`'s failures since `since` out of the counts: they were typos, the user got in.
    /// (Only the account that logged in: an attacker's failures on other accounts stay.)
    mutating func forgive(user: String, since: Int64) {
        var i = failures.count - 1
        while i >= 0, failures[i].time >= since {
            if !failures[i].forgiven, failures[i].user == user {
                failures[i].forgiven = true
                let hour = failures[i].time / 3_600_000_000
                if let w = hourly[hour] { hourly[hour] = max(0, w - failures[i].weight) }
            }
            i -= 1
        }
    }
}

/// What the detector remembers about one user.
struct UserState {
    struct Signal {
        var time: Int64
        var points: Double
        var what: String
        var kind: String
    }

    /// A suspicious login being watched for follow-up activity.
    struct Watch {
        var start: Int64
        var points: Double
        var reasons: [String]
        var source: String?
        var host: String?
        /// The incident follow-ups are added to, once there is one.
        var incidentKey: String?
        var kind: AnomalyKind
        var followUps: [String] = []
    }

    var privilege: [Signal] = []
    var watch: Watch?
    var dataCounts: [String: SlidingCounts] = [:]
    var outliers = SlidingCounts()
    /// Scored events of the user within the outlier window, for the outlier rate.
    var scored = SlidingCounts()
    var firstSudoFlagged = false
    var lastActivity: Int64 = .min
}
