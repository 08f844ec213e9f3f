import TriplineCore

/// Everything the dashboard shows, as one value the engine publishes and the UI reads without
/// waiting: the newest anomalies, a histogram over log time, top offenders, model and engine stats.
public struct EngineSnapshot: Sendable {
    /// Newest first, at most the engine's limit.
    public var anomalies: [Anomaly] = []
    /// Incidents (by start and severity) and events over log time, since the start.
    public var activity = ActivityHistogram()
    /// Sources with the most or worst anomalies.
    public var topSources: [Offender] = []
    /// Users with the most or worst anomalies.
    public var topUsers: [Offender] = []
    /// Hosts with the most or worst anomalies.
    public var topHosts: [Offender] = []
    public var stats = EngineStats()
    public var model: ModelSummary?
    /// Why there is no model, when there is none: not trained yet, or damaged (say so, and
    /// what to do; the rules still run).
    public var modelProblem: ModelProblem?
    public var retrain: RetrainStatus = .idle
    /// Increases with every publication, so readers can tell a new snapshot cheaply.
    public var version = 0

    public init() {}

    /// A source or user and its anomalies.
    public struct Offender: Sendable, Equatable {
        public var name: String
        public var count: Int
        public var worst: Severity
        public init(name: String, count: Int, worst: Severity) { self.name = name; self.count = count; self.worst = worst }
    }
}

/// The engine's counters.
public struct EngineStats: Sendable, Equatable {
    public var events = 0
    /// Incidents since the start (not what the feed keeps).
    public var anomalies = 0
    /// Those incidents by their latest severity.
    public var anomaliesBySeverity: [Severity: Int] = [:]
    /// How many the feed holds (the newest by start).
    public var feedKept = 0
    public var linesSkipped = 0
    /// Distinct hosts the events came from (counted up to ``EngineStats/hostsCounted``).
    public var hosts = 0
    public static let hostsCounted = 1_000
    public var files: [String] = []
    public var eventsPerSecond = 0.0
    /// Bytes written to the files and not read yet.
    public var lagBytes: Int64 = 0
    /// The newest event's time.
    public var lastEvent: Timestamp?
    public var replaying = false
    /// Standard input was followed and has ended (nothing more will come).
    public var inputEnded = false
    public init() {}
}

/// What the model stats pane says about the model.
/// Why the dashboard runs without a model.
public struct ModelProblem: Sendable, Equatable {
    /// What is wrong and what to do (``ModelError``'s description).
    public var text: String
    /// The folder holds a model that cannot be used (damaged, another version, unreadable), as
    /// opposed to none trained yet.
    public var damaged: Bool
    /// A few words for the Model pane.
    public var brief: String
    public init(text: String, damaged: Bool, brief: String? = nil) {
        self.text = text
        self.damaged = damaged
        self.brief = brief ?? text
    }
}

public struct ModelSummary: Sendable, Equatable {
    public var version: Int
    public var createdAt: String
    public var trainedEvents: Int
    public var trainedFrom: String?
    public var trainedTo: String?
    public var contamination: Double
    public var threshold: Double?
    public var users: Int
    public var serviceAccounts: Int

    public init(_ m: TriplineModel) {
        version = m.version
        createdAt = m.createdAt
        trainedEvents = m.training.events
        trainedFrom = m.training.from
        trainedTo = m.training.to
        contamination = m.config.contamination
        threshold = m.forest?.offset
        users = m.users.count
        serviceAccounts = m.serviceAccounts.count
    }
}

/// Where a retrain stands.
public enum RetrainStatus: Sendable, Equatable {
    case idle
    case running(started: Timestamp, events: Int)
    /// Trained on `events`, leaving out `excludedEvents` in `excludedIncidents` incidents the rules found.
    case done(events: Int, seconds: Double, excludedEvents: Int, excludedIncidents: Int)
    case failed(String)
}
