/// A source's failures by the hour over the slow window: the weight of each hour and the
/// first failure that counted in it, in one small array ordered by hour (a source that fails
/// once costs one allocation, not two hash tables; hours arrive nearly in order).
struct HourlyTally {
    struct Hour {
        /// Hours since the epoch.
        var index: Int64
        var weight: Double
        /// The first failure with a weight in this hour, when there was one.
        var first: Int64?
    }

    private(set) var hours: [Hour] = []

    var isEmpty: Bool { hours.isEmpty }
    var count: Int { hours.count }

    /// Adds `weight` at `time` (microseconds).
    mutating func add(_ weight: Double, at time: Int64) {
        let index = time / 3_600_000_000
        var i = hours.count
        while i > 0, hours[i - 1].index > index { i -= 1 }
        if i > 0, hours[i - 1].index == index {
            hours[i - 1].weight += weight
            if weight > 0, hours[i - 1].first.map({ time < $0 }) ?? true { hours[i - 1].first = time }
        } else {
            hours.insert(Hour(index: index, weight: weight, first: weight > 0 ? time : nil), at: i)
        }
    }

    /// The weight of the hours after `after` up to and including `upTo` (hours since the epoch)
    /// that have any, and how many such hours there are.
    func weight(after: Int64, upTo: Int64) -> (total: Double, hours: Int) {
        var total = 0.0, n = 0
        for h in hours where h.index > after && h.index <= upTo && h.weight > 0 { total += h.weight; n += 1 }
        return (total, n)
    }

    /// Takes `weight` back from the hour of `time`, never below zero.
    mutating func subtract(_ weight: Double, at time: Int64) {
        let index = time / 3_600_000_000
        guard let i = hours.lastIndex(where: { $0.index == index }) else { return }
        hours[i].weight = max(0, hours[i].weight - weight)
    }

    /// Forgets the hours that start before `cutoff` (microseconds).
    mutating func removeHours(before cutoff: Int64) {
        hours.removeAll { $0.index * 3_600_000_000 < cutoff }
    }

    mutating func removeAll() { hours = [] }

    /// The weight of every hour kept.
    var total: Double { hours.reduce(0) { $0 + $1.weight } }

    /// The weight of the hours from hour index `from` on.
    func total(fromHour from: Int64) -> Double {
        hours.reduce(0) { $0 + ($1.index >= from ? $1.weight : 0) }
    }
}
