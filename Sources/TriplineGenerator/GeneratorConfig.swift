/// What `tripline generate` makes.
public struct GeneratorConfig: Sendable {
    /// Output folder.
    public var outputDirectory: String
    /// Days of logs.
    public var days: Int
    /// Human accounts (service accounts come on top).
    public var users: Int
    /// Random seed: the same seed gives the same files.
    public var seed: UInt64
    /// Approximate total events to aim for (benign automation fills the gap); nil for natural volume.
    public var targetEvents: Int?
    /// Attacks of each kind to plant.
    public var attacksPerKind: Int
    /// First day, as days since 1970-01-01 (UTC midnight).
    public var startDay: Int

    /// A configuration; `startDay` defaults to Monday 2026-03-02.
    public init(outputDirectory: String, days: Int = 7, users: Int = 25, seed: UInt64 = 42,
                targetEvents: Int? = nil, attacksPerKind: Int = 2,
                startDay: Int = 20_514) {
        self.outputDirectory = outputDirectory
        self.days = days
        self.users = users
        self.seed = seed
        self.targetEvents = targetEvents
        self.attacksPerKind = attacksPerKind
        self.startDay = startDay
    }

    /// Where the syslog form goes, relative to the output folder.
    public static let syslogFile = "auth.log"
    /// Where the NDJSON form goes.
    public static let ndjsonFile = "ndjson/events.ndjson"
    /// Where the labels go.
    public static let labelsFile = "labels/labels.json"

    /// Days kept free of attacks at the start, so a baseline can be learnt from them.
    public var cleanDays: Int { days >= 3 ? max(1, days / 3) : (days == 2 ? 1 : 0) }

    func validate() throws {
        guard days >= 1, days <= 3660 else { throw GeneratorError.invalidOption("--days must be between 1 and 3660") }
        guard users >= 2, users <= 100_000 else { throw GeneratorError.invalidOption("--users must be between 2 and 100000") }
        if let t = targetEvents, t < 0 { throw GeneratorError.invalidOption("--events must be positive") }
        guard attacksPerKind >= 0, attacksPerKind <= 1000 else { throw GeneratorError.invalidOption("--attacks must be between 0 and 1000") }
    }
}
