/// Weighted events in a sliding time window, oldest first; old entries are dropped as time
/// moves on. Events within `resolution` of each other share one entry, so memory follows the
/// window's length (at most window / resolution entries), never the event rate: a busy server
/// logging thousands of lines a second keeps as little as a quiet one.
struct SlidingCounts {
    private(set) var times: [Int64] = []
    private(set) var weights: [Double] = []
    private var head = 0
    private(set) var total = 0.0
    /// Entries are per this many microseconds (6 s by default: 600 for an hour's window).
    let resolution: Int64

    init(resolution: Int64 = 6_000_000) {
        self.resolution = max(1, resolution)
    }

    var isEmpty: Bool { head >= times.count }
    var count: Int { times.count - head }
    var newest: Int64? { isEmpty ? nil : times[times.count - 1] }

    mutating func add(_ t: Int64, weight: Double = 1) {
        total += weight
        if let last = times.last, !isEmpty, t >= last, t / resolution == last / resolution {
            weights[weights.count - 1] += weight
            return
        }
        times.append(t)
        weights.append(weight)
    }

    /// Drops entries older than `cutoff`.
    mutating func prune(before cutoff: Int64) {
        while head < times.count, times[head] < cutoff {
            total -= weights[head]
            head += 1
        }
        if head > 64, head * 2 > times.count {
            times.removeFirst(head)
            weights.removeFirst(head)
            head = 0
        }
        if isEmpty { total = 0 }
    }
}

/// Microseconds in a number of seconds.
@inline(__always) func micros(_ seconds: Double) -> Int64 { Int64(seconds * 1_000_000) }
