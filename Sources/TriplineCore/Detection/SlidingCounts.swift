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
    var oldest: Int64? { isEmpty ? nil : times[head] }

    /// Counts `weight` at `t`, then keeps only the window `[t - window, …]`.
    ///
    /// Input is not always in time order (several hosts in one stream, a replayed or
    /// concatenated log): an event slightly out of order lands in its place; one older than the
    /// newest by more than the window starts the counts over, as a new timeline (counts never
    /// mix two timelines, and the entries ahead of it are not kept for ever).
    /// ``add(_:weight:window:)``, returning the total after it (one dictionary access for both).
    mutating func adding(_ t: Int64, weight: Double = 1, window: Int64) -> Double {
        add(t, weight: weight, window: window)
        return total
    }

    mutating func add(_ t: Int64, weight: Double = 1, window: Int64) {
        rewind(to: t, window: window)
        add(t, weight: weight)
        prune(before: t - window)
    }

    /// Keeps only the window `[t - window, …]` without counting anything (and starts over when
    /// `t` is older than the newest by more than the window).
    mutating func advance(to t: Int64, window: Int64) {
        rewind(to: t, window: window)
        prune(before: t - window)
    }

    private mutating func rewind(to t: Int64, window: Int64) {
        if let n = newest, t < n - window {
            times.removeAll(keepingCapacity: true)
            weights.removeAll(keepingCapacity: true)
            head = 0
            total = 0
        }
    }

    private mutating func add(_ t: Int64, weight: Double) {
        total += weight
        guard let last = times.last, !isEmpty else {
            times.append(t)
            weights.append(weight)
            return
        }
        if t >= last {
            if t / resolution == last / resolution {
                weights[weights.count - 1] += weight
            } else {
                times.append(t)
                weights.append(weight)
            }
            return
        }
        // Out of order: find its place from the end (events are rarely far out of order, and
        // never more than the window, which holds at most window / resolution entries).
        var i = times.count - 1
        while i > head, times[i - 1] > t { i -= 1 }
        if times[i] / resolution == t / resolution {
            weights[i] += weight
        } else if i > head, times[i - 1] / resolution == t / resolution {
            weights[i - 1] += weight
        } else {
            times.insert(t, at: i)
            weights.insert(weight, at: i)
        }
    }

    /// Drops entries older than `cutoff`.
    private mutating func prune(before cutoff: Int64) {
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
