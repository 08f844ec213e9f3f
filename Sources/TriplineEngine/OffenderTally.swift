import TriplineCore

/// Incidents per name (a source address or a user) over everything seen, with the worst
/// severity each reached: the dashboard's top offenders. Bounded: past ``capacity`` names the
/// weaker half is let go (lowest worst severity, then fewest incidents), so an address behind
/// one critical incident or hundreds of small ones stays while a flood of one-off names churns.
public struct OffenderTally: Sendable {
    /// Names counted at most.
    public let capacity: Int
    private var entries: [String: EngineSnapshot.Offender] = [:]

    public init(capacity: Int = 10_000) { self.capacity = max(2, capacity) }

    /// Names counted now.
    public var count: Int { entries.count }

    /// Counts a new incident of `name`.
    public mutating func add(_ name: String, severity: Severity) {
        if var o = entries[name] {
            o.count += 1
            if severity > o.worst { o.worst = severity }
            entries[name] = o
            return
        }
        if entries.count >= capacity {
            let keep = entries.values.sorted(by: OffenderTally.ranks).prefix(capacity / 2)
            entries = Dictionary(uniqueKeysWithValues: keep.map { ($0.name, $0) })
        }
        entries[name] = .init(name: name, count: 1, worst: severity)
    }

    /// An incident already counted grew to `severity`.
    public mutating func raise(_ name: String, to severity: Severity) {
        if let o = entries[name], severity > o.worst { entries[name]?.worst = severity }
    }

    /// The `n` worst offenders: by worst severity, then incidents, then name.
    /// One pass, keeping the best `n` in order (published several times a second).
    public func top(_ n: Int) -> [EngineSnapshot.Offender] {
        guard n > 0 else { return [] }
        var best: [EngineSnapshot.Offender] = []
        best.reserveCapacity(n + 1)
        for o in entries.values {
            if best.count == n, let last = best.last, !OffenderTally.ranks(o, last) { continue }
            var i = best.count
            while i > 0, OffenderTally.ranks(o, best[i - 1]) { i -= 1 }
            best.insert(o, at: i)
            if best.count > n { best.removeLast() }
        }
        return best
    }

    static func ranks(_ a: EngineSnapshot.Offender, _ b: EngineSnapshot.Offender) -> Bool {
        (a.worst, a.count, b.name) > (b.worst, b.count, a.name)
    }
}
