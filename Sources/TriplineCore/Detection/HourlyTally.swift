/// A source's failures by the hour over the slow window: the weight of each hour and the
/// first failure that counted in it, ordered by hour. The newest hour is kept in place and the
/// ones before it in a small array: most sources fail within one hour (a scanner, one address
/// of a botnet), and then the tally costs no allocation at all (a botnet's tens of thousands
/// of addresses cost one each before). Hours arrive nearly in order.
struct HourlyTally {
    /// One hour's failures: 24 bytes (the first failure's time is not an optional, which
    /// would round the hour up to 32).
    struct Hour {
        /// Hours since the epoch.
        var index: Int64
        var weight: Double
        /// ``first``, with `Int64.max` for none (no failure is that late: parsed times stay
        /// below 10^17 microseconds).
        private var storedFirst: Int64

        /// The first failure with a weight in this hour, when there was one.
        var first: Int64? {
            get { storedFirst == .max ? nil : storedFirst }
            set { storedFirst = newValue ?? .max }
        }

        init(index: Int64, weight: Double, first: Int64?) {
            self.index = index
            self.weight = weight
            self.storedFirst = first ?? .max
        }

        /// Adds `weight` at `time`, a time within this hour.
        mutating func add(_ weight: Double, at time: Int64) {
            self.weight += weight
            if weight > 0, first.map({ time < $0 }) ?? true { first = time }
        }
    }

    /// The newest hour (`index == .min`: no hours at all).
    private var newest = Hour(index: .min, weight: 0, first: nil)
    /// The hours before ``newest``, oldest first.
    private var older: [Hour] = []

    var isEmpty: Bool { newest.index == .min }
    var count: Int { isEmpty ? 0 : older.count + 1 }

    /// The hours, oldest first (made for the moment an incident opens, not kept).
    var hours: [Hour] { isEmpty ? [] : older + [newest] }

    /// Adds `weight` at `time` (microseconds).
    mutating func add(_ weight: Double, at time: Int64) {
        let index = time / 3_600_000_000
        let made = Hour(index: index, weight: weight, first: weight > 0 ? time : nil)
        if isEmpty {
            newest = made
        } else if index > newest.index {
            older.append(newest)
            newest = made
        } else if index == newest.index {
            newest.add(weight, at: time)
        } else {
            var i = older.count
            while i > 0, older[i - 1].index > index { i -= 1 }
            if i > 0, older[i - 1].index == index {
                older[i - 1].add(weight, at: time)
            } else {
                older.insert(made, at: i)
            }
        }
    }

    /// The weight of the hours after `after` up to and including `upTo` (hours since the epoch)
    /// that have any, and how many such hours there are.
    func weight(after: Int64, upTo: Int64) -> (total: Double, hours: Int) {
        guard !isEmpty else { return (0, 0) }
        var total = 0.0, n = 0
        for h in older where h.index > after && h.index <= upTo && h.weight > 0 { total += h.weight; n += 1 }
        if newest.index > after && newest.index <= upTo && newest.weight > 0 { total += newest.weight; n += 1 }
        return (total, n)
    }

    /// Takes `weight` back from the hour of `time`, never below zero.
    mutating func subtract(_ weight: Double, at time: Int64) {
        guard !isEmpty else { return }
        let index = time / 3_600_000_000
        if newest.index == index {
            newest.weight = max(0, newest.weight - weight)
        } else if let i = older.lastIndex(where: { $0.index == index }) {
            older[i].weight = max(0, older[i].weight - weight)
        }
    }

    /// Forgets the hours that start before `cutoff` (microseconds).
    mutating func removeHours(before cutoff: Int64) {
        guard !isEmpty else { return }
        older.removeAll { $0.index * 3_600_000_000 < cutoff }
        // The hours are in order: when the newest goes, every hour before it has gone.
        if newest.index * 3_600_000_000 < cutoff { removeAll() }
    }

    mutating func removeAll() {
        newest = Hour(index: .min, weight: 0, first: nil)
        older = []
    }

    /// The weight of every hour kept (summed oldest first).
    var total: Double {
        guard !isEmpty else { return 0 }
        return older.reduce(0) { $0 + $1.weight } + newest.weight
    }

    /// The weight of the hours from hour index `from` on (summed oldest first).
    func total(fromHour from: Int64) -> Double {
        guard !isEmpty else { return 0 }
        return older.reduce(0) { $0 + ($1.index >= from ? $1.weight : 0) } + (newest.index >= from ? newest.weight : 0)
    }
}
