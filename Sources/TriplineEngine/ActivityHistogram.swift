import TriplineCore

/// Events and incidents over log time, for the dashboard's histogram: how many incidents of each
/// severity started in each stretch of time, and how many events were read, at the resolution
/// the span in view needs (minutes when following live, hours or days over weeks of history).
///
/// Three tiers, each a table of buckets: minutes for the last three days of log time, hours for
/// the last 90 days, days for ten years. Every count goes into all three, so any zoom reads
/// one tier; what falls out of a tier's horizon is dropped from it (the coarser tiers keep it).
/// The horizon is measured from the latest event in the order read, not the greatest time seen,
/// so that one line dated decades ahead does not push everything else out. Memory is bounded
/// whatever the timestamps: at most a few thousand buckets per tier.
public struct ActivityHistogram: Sendable {
    /// Counts in one bucket (no allocation of its own: thousands are kept).
    public struct Counts: Sendable, Equatable {
        /// Incidents by ``Severity`` rank (low, medium, high, critical), by their start.
        public var incidents = SIMD4<Int32>(repeating: 0)
        /// Events read.
        public var events = 0
        public init() {}
        public init(incidents: [Int], events: Int) {
            for (i, n) in incidents.prefix(4).enumerated() { self.incidents[i] = Int32(clamping: n) }
            self.events = events
        }
        /// Incidents of `severity`.
        public subscript(_ severity: Severity) -> Int { Int(incidents[severity.rank]) }
        /// Incidents of every severity.
        public var total: Int { Int(incidents.wrappedSum()) }
        /// The worst severity with an incident, if any.
        public var worst: Severity? {
            for r in stride(from: 3, through: 0, by: -1) where incidents[r] > 0 { return Severity.allCases[r] }
            return nil
        }
        mutating func add(_ o: Counts) {
            incidents &+= o.incidents
            events += o.events
        }
    }

    /// A bucket size the dashboard can show.
    public enum Zoom: Int, CaseIterable, Sendable, Comparable {
        case minute, fiveMinutes, quarterHour, hour, sixHours, day, week

        /// Seconds per bucket.
        public var seconds: Int64 {
            switch self {
            case .minute: return 60
            case .fiveMinutes: return 300
            case .quarterHour: return 900
            case .hour: return 3_600
            case .sixHours: return 21_600
            case .day: return 86_400
            case .week: return 604_800
            }
        }

        /// "per 15 min".
        public var label: String {
            switch self {
            case .minute: return "per minute"
            case .fiveMinutes: return "per 5 min"
            case .quarterHour: return "per 15 min"
            case .hour: return "per hour"
            case .sixHours: return "per 6 h"
            case .day: return "per day"
            case .week: return "per week"
            }
        }

        /// The tier it reads.
        var tier: Int { self < .hour ? 0 : (self < .day ? 1 : 2) }

        public static func < (a: Zoom, b: Zoom) -> Bool { a.rawValue < b.rawValue }
    }

    static let tierSeconds: [Int64] = [60, 3_600, 86_400]
    /// How far back each tier keeps buckets, in its own buckets.
    static let tierHorizon: [Int64] = [3 * 1_440, 90 * 24, 3_660]

    private var tiers: [[Int64: Counts]] = [[:], [:], [:]]
    /// The bucket of the latest event read, per tier: buckets further than the tier's horizon
    /// from it (either side) are let go.
    private var current: [Int64] = [.min, .min, .min]
    /// Events not yet added, all in the minute `pendingMinute` (a stream in order adds each
    /// minute's events once rather than three table updates per event).
    private var pendingMinute: Int64 = .min
    private var pendingEvents = 0
    /// The time of the first and of the latest event read (seconds), in the order read.
    public private(set) var firstEvent: Int64?
    public private(set) var lastEvent: Int64?

    public init() {}

    /// Counts an event at `t`.
    public mutating func addEvent(at t: Timestamp) {
        let s = t.wholeSeconds
        if firstEvent == nil { firstEvent = s }
        lastEvent = s
        let m = floorDiv(s, 60)
        if m != pendingMinute { flush(); pendingMinute = m }
        pendingEvents += 1
    }

    /// Counts an incident that started at `start` with `severity`.
    public mutating func addIncident(start: Timestamp, severity: Severity) {
        var c = Counts()
        c.incidents[severity.rank] = 1
        add(c, at: start.wholeSeconds)
    }

    /// Moves an incident counted at `start` from severity `was` to `now`.
    public mutating func moveIncident(start: Timestamp, from was: Severity, to now: Severity) {
        guard was != now else { return }
        var c = Counts()
        c.incidents[was.rank] = -1
        c.incidents[now.rank] = 1
        add(c, at: start.wholeSeconds)
    }

    /// Buckets held, per tier (for tests of the bound).
    var bucketsHeld: [Int] { tiers.map(\.count) }

    /// Adds the events still held back (before a copy is handed to a reader).
    public mutating func settle() { flush() }

    private mutating func flush() {
        guard pendingEvents > 0 else { return }
        var c = Counts()
        c.events = pendingEvents
        pendingEvents = 0
        for t in 0..<3 { current[t] = floorDiv(pendingMinute * 60, ActivityHistogram.tierSeconds[t]) }
        add(c, at: pendingMinute * 60)
    }

    private mutating func add(_ c: Counts, at seconds: Int64) {
        for t in 0..<3 {
            let b = floorDiv(seconds, ActivityHistogram.tierSeconds[t])
            // Further from the latest event than the tier keeps: the coarser tiers have it.
            if current[t] != .min, abs(b - current[t]) >= ActivityHistogram.tierHorizon[t] { continue }
            tiers[t][b, default: Counts()].add(c)
            // Within the horizon either side there are at most twice its buckets: pruning when a
            // quarter more have come costs a constant per bucket added, whatever the order.
            if tiers[t].count > Int(ActivityHistogram.tierHorizon[t]) * 9 / 4 { prune(t) }
        }
    }

    private mutating func prune(_ t: Int) {
        // Before any event (a store fed incidents only), around the newest bucket held.
        let c = current[t] != .min ? current[t] : (tiers[t].keys.max() ?? 0)
        let h = ActivityHistogram.tierHorizon[t]
        tiers[t] = tiers[t].filter { abs($0.key - c) < h }
    }

    /// `count` buckets of `zoom`, the last one holding `end` (seconds), oldest first, with each
    /// bucket's start (seconds). Events held back since the last ``settle()`` are not in them.
    public func buckets(_ zoom: Zoom, count: Int, ending end: Int64) -> [(start: Int64, counts: Counts)] {
        guard count > 0 else { return [] }
        let size = zoom.seconds
        // Weeks start on a Monday (1970-01-01 was a Thursday: shift by four days).
        let shift: Int64 = zoom == .week ? 4 * 86_400 : 0
        let last = floorDiv(end + shift, size)
        let t = zoom.tier
        let per = size / ActivityHistogram.tierSeconds[t]
        let unit = ActivityHistogram.tierSeconds[t]
        var out: [(start: Int64, counts: Counts)] = []
        out.reserveCapacity(count)
        for i in (last - Int64(count) + 1)...last {
            let start = i * size - shift
            var c = Counts()
            let first = floorDiv(start, unit)
            for k in 0..<per {
                if let x = tiers[t][first + k] { c.add(x) }
            }
            out.append((start, c))
        }
        return out
    }

    /// The finest zoom whose `columns` buckets cover every event seen (the span of the log in
    /// view), or ``Zoom/minute`` with nothing seen.
    /// How many buckets of `zoom` the events read span, from the first's to the last's (0
    /// before any event).
    public func bucketsSpanned(_ zoom: Zoom) -> Int {
        guard let a = firstEvent, let b = lastEvent else { return 0 }
        let shift: Int64 = zoom == .week ? 4 * 86_400 : 0
        let n = floorDiv(max(a, b) + shift, zoom.seconds) - floorDiv(min(a, b) + shift, zoom.seconds) + 1
        return Int(min(n, Int64(Int32.max)))
    }

    public func fittingZoom(columns: Int) -> Zoom {
        guard let a = firstEvent, let b = lastEvent, columns > 0 else { return .minute }
        for z in Zoom.allCases where (b - a) / z.seconds < Int64(columns) { return z }
        return .week
    }

    private func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }
}
