import Testing
@testable import TriplineCore

/// `SlidingCounts` keeps a single entry without an array; `ArraySlidingCounts` is the plain
/// version it replaced (every entry in the array). Fed the same events in any order, the two
/// must agree on everything they report.
@Suite struct SlidingCountsAgreementTests {
    @Test(arguments: [1, 2, 3, 4])
    func theCompactCountsAgreeWithThePlainOnes(seed: Int) {
        var rng = SplitMix64(seed: UInt64(seed))
        for resolution: Int64 in [1_000_000, 6_000_000] {
            var a = SlidingCounts(resolution: resolution), b = ArraySlidingCounts(resolution: resolution)
            var t: Int64 = 1_000_000_000_000
            let window: Int64 = seed % 2 == 0 ? 600_000_000 : 3_600_000_000
            for step in 0..<30_000 {
                let r = rng.next() % 100
                // Mostly a few seconds on, sometimes late, now and then far back (a new
                // timeline) or far ahead (the window empties).
                let at: Int64 = r < 60 ? t + Int64(rng.next() % 4_000_000) : r < 85 ? t - Int64(rng.next() % 20_000_000)
                    : r < 90 ? t - 2 * window : r < 95 ? t + window + 1_000_000 : t
                if at > t || r >= 85 && r < 90 { t = at }
                let w = Double(rng.next() % 3 + 1)
                if rng.next() % 5 == 0 {
                    a.advance(to: at, window: window); b.advance(to: at, window: window)
                } else {
                    let x = a.adding(at, weight: w, window: window), y = b.adding(at, weight: w, window: window)
                    #expect(x == y, "step \(step)")
                    // The window's start as the rules ask for it, just after counting.
                    #expect(a.firstTime(atOrAfter: at - window) == b.firstTime(atOrAfter: at - window), "step \(step)")
                }
                #expect(a.total == b.total && a.count == b.count && a.isEmpty == b.isEmpty, "step \(step)")
                #expect(a.newest == b.newest && a.oldest == b.oldest, "step \(step)")
            }
        }
    }
}

/// The array-only sliding counts, as they were before single entries were kept in place (its
/// `firstTime` looking at the window's entries only, as both do now).
struct ArraySlidingCounts {
    /// One entry: events within `resolution` of `time` (its first), with their weight.
    struct Entry {
        var time: Int64
        var weight: Double
    }
    private var entries: [Entry] = []
    /// The first entry still in the window (the ones before it are dropped, and let go of in
    /// bulk); 32 bits, beside ``storedResolution``, so that the counts take 32 bytes.
    private var storedHead: Int32 = 0
    private var storedResolution: Int32
    private(set) var total = 0.0
    /// ``newest``, kept here (`Int64.min` for none) so that a sweep over tens of thousands of
    /// counts reads each where it is rather than going to its entries (a cache miss each).
    private var storedNewest = Int64.min
    /// Entries are per this many microseconds (6 s by default: 600 for an hour's window; at
    /// most `Int32.max`, 35 minutes).
    var resolution: Int64 { Int64(storedResolution) }

    init(resolution: Int64 = 6_000_000) {
        self.storedResolution = Int32(clamping: max(1, resolution))
    }

    private var head: Int {
        get { Int(storedHead) }
        set { storedHead = Int32(newValue) }
    }
    var isEmpty: Bool { head >= entries.count }
    var count: Int { entries.count - head }
    var newest: Int64? { storedNewest == .min ? nil : storedNewest }
    var oldest: Int64? { isEmpty ? nil : entries[head].time }
    /// The entries' times, oldest first, for inspection (this copies them).
    var times: [Int64] { entries.map(\.time) }

    /// The first entry's time at or after `t` (dropped entries included, as they are still
    /// stored), or nil.
    func firstTime(atOrAfter t: Int64) -> Int64? {
        entries[head...].first { $0.time >= t }?.time
    }

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
            entries.removeAll(keepingCapacity: true)
            head = 0
            total = 0
            storedNewest = .min
        }
    }

    private mutating func add(_ t: Int64, weight: Double) {
        total += weight
        guard let last = newest else {
            entries.append(Entry(time: t, weight: weight))
            storedNewest = t
            return
        }
        if t >= last {
            if t / resolution == last / resolution {
                entries[entries.count - 1].weight += weight
            } else {
                entries.append(Entry(time: t, weight: weight))
                storedNewest = t
            }
            return
        }
        // Out of order: find its place from the end (events are rarely far out of order, and
        // never more than the window, which holds at most window / resolution entries).
        var i = entries.count - 1
        while i > head, entries[i - 1].time > t { i -= 1 }
        if entries[i].time / resolution == t / resolution {
            entries[i].weight += weight
        } else if i > head, entries[i - 1].time / resolution == t / resolution {
            entries[i - 1].weight += weight
        } else {
            entries.insert(Entry(time: t, weight: weight), at: i)
        }
    }

    /// Drops entries older than `cutoff`.
    private mutating func prune(before cutoff: Int64) {
        while head < entries.count, entries[head].time < cutoff {
            total -= entries[head].weight
            head += 1
        }
        if head > 64, head * 2 > entries.count {
            entries.removeFirst(head)
            head = 0
        }
        if isEmpty {
            total = 0
            storedNewest = .min
        }
    }
}

