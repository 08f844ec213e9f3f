/// Weighted events in a sliding time window, oldest first; old entries are dropped as time
/// moves on. Events within `resolution` of each other share one entry, so memory follows the
/// window's length (at most window / resolution entries), never the event rate: a busy server
/// logging thousands of lines a second keeps as little as a quiet one.
///
/// Each entry's time and weight sit side by side in one array, and a single entry takes no
/// array at all: its time is the newest and its weight the total, both kept here. A botnet
/// sends each address once and a flood of names each name once; allocating counts for each
/// (and freeing them when the table is cut back) was most of the cost of a new key.
struct SlidingCounts {
    /// One entry: events within `resolution` of `time` (its first), with their weight.
    struct Entry {
        var time: Int64
        var weight: Double
    }
    /// The entries, oldest first, from the second entry on: while there is one entry (or none),
    /// this is empty and the entry is (``storedNewest``, ``total``).
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
    /// No entries in the window.
    var isEmpty: Bool { storedNewest == .min }
    /// Entries in the window.
    var count: Int { entries.isEmpty ? (isEmpty ? 0 : 1) : entries.count - head }
    var newest: Int64? { isEmpty ? nil : storedNewest }
    var oldest: Int64? { entries.isEmpty ? newest : head < entries.count ? entries[head].time : nil }
    /// The stored entries' times (the window's, and dropped ones not yet let go of), oldest
    /// first, for inspection (this copies them).
    var times: [Int64] { entries.isEmpty ? (newest.map { [$0] } ?? []) : entries.map(\.time) }

    /// The time of the first entry in the window at or after `t`, or nil: where the events
    /// that ``total`` counts from `t` on begin. (Entries dropped from the window are not
    /// counted, and not looked at: a late line could make one of them look recent again.)
    func firstTime(atOrAfter t: Int64) -> Int64? {
        if entries.isEmpty { return newest.flatMap { $0 >= t ? $0 : nil } }
        return entries[head...].first { $0.time >= t }?.time
    }

    /// Counts `weight` at `t`, then keeps only the window `[t - window, …]`.
    ///
    /// Input is not always in time order (several hosts in one stream, a replayed or
    /// concatenated log): an event slightly out of order lands in its place; one older than the
    /// newest by more than the window starts the counts over, as a new timeline (counts never
    /// mix two timelines, and the entries ahead of it are not kept for ever).
    /// ``add(_:weight:window:)``, returning the total after it (one dictionary access for both).
    mutating func adding(_ t: Int64, weight: Double = 1, window: Int64, displaced: Bool = false) -> Double {
        add(t, weight: weight, window: window, displaced: displaced)
        return total
    }

    /// A `displaced` event (its time was hours from its host's clock, see ``TimeJumpGuard``)
    /// counts no earlier than the newest: it can neither start the counts over nor drop out.
    mutating func add(_ t: Int64, weight: Double = 1, window: Int64, displaced: Bool = false) {
        let t = displaced ? max(t, storedNewest) : t
        rewind(to: t, window: window)
        add(t, weight: weight)
        prune(before: t - window)
    }

    /// Keeps only the window `[t - window, …]` without counting anything (and starts over when
    /// `t` is older than the newest by more than the window).
    mutating func advance(to t: Int64, window: Int64, displaced: Bool = false) {
        let t = displaced ? max(t, storedNewest) : t
        rewind(to: t, window: window)
        prune(before: t - window)
    }

    private mutating func rewind(to t: Int64, window: Int64) {
        if let n = newest, t < n - window {
            // (Nothing kept of the array: its first entry would be kept in place anyway.)
            entries = []
            head = 0
            total = 0
            storedNewest = .min
        }
    }

    private mutating func add(_ t: Int64, weight: Double) {
        let before = total
        total += weight
        guard let last = newest else {
            // The first entry: kept in place while it is the only one, or after dropped ones.
            if !entries.isEmpty { entries.append(Entry(time: t, weight: weight)) }
            storedNewest = t
            return
        }
        if entries.isEmpty {
            // One entry, (last, before): the same one again, or the array begins.
            if t / resolution == last / resolution { return }
            if t > last {
                entries = [Entry(time: last, weight: before), Entry(time: t, weight: weight)]
                storedNewest = t
            } else {
                entries = [Entry(time: t, weight: weight), Entry(time: last, weight: before)]
            }
            head = 0
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
        if entries.isEmpty {
            if storedNewest < cutoff {
                total = 0
                storedNewest = .min
            }
            return
        }
        while head < entries.count, entries[head].time < cutoff {
            total -= entries[head].weight
            head += 1
        }
        if head > 64, head * 2 > entries.count {
            entries.removeFirst(head)
            head = 0
        }
        if head >= entries.count {
            total = 0
            storedNewest = .min
        }
    }
}

/// Microseconds in a number of seconds.
@inline(__always) func micros(_ seconds: Double) -> Int64 { Int64(seconds * 1_000_000) }
