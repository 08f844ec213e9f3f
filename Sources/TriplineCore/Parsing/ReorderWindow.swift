import DequeModule
import HeapModule

/// Puts slightly out-of-order events back in time order before detection: several hosts in one
/// stream, clocks a little apart, a relay's buffering. Events are held until the newest event
/// seen is `span` later than they are, then handed on oldest first (ties in the order they
/// came). In-order input comes out unchanged, in the same order.
///
/// An event older than the window is *late*: it is counted, never dropped. What is held is
/// handed on first (it came first), then the late event, and the window starts again from it,
/// so a log whose time jumps backwards (several files or hosts written one after another) is
/// read in the order it is written, as without a window. At most `maxHeld` events are held (a
/// burst of more within one window hands on the oldest early), so memory stays bounded.
public struct ReorderWindow: Sendable {
    /// How far back an event may come and still be put in its place, in microseconds.
    public let span: Int64
    /// Most events held at once.
    public let maxHeld: Int
    /// Most bytes held at once, about (``EventPipe/approximateBytes(_:)``): past it the oldest
    /// are handed on early, as past ``maxHeld`` (events of large records must not be held by
    /// the thousand).
    public static let maxHeldBytes = 32 << 20
    private var heldBytes = 0
    /// Events that came later than the window allowed (analysed where they came).
    public private(set) var late = 0

    /// Held events in time order: those that came in order are appended, those a little out
    /// of order are put in place near the end (cheap), the rest go to `heap`. A ring, so that
    /// events handed on leave no spent slots behind (its capacity is at most 1.5 times the
    /// most events held).
    private var held = Deque<Held>()
    private var heap = Heap<Held>()
    private var newest: Timestamp?
    private var sequence = 0

    private struct Held: Sendable, Comparable {
        var event: LogEvent
        var seq: Int
        /// ``EventPipe/approximateBytes(_:)`` of the event, taken once.
        var bytes: Int
        /// Time order, ties in the order they came.
        var order: (Timestamp, Int) { (event.timestamp, seq) }
        static func < (a: Held, b: Held) -> Bool { a.order < b.order }
        static func == (a: Held, b: Held) -> Bool { a.seq == b.seq }
    }

    /// The default span: five minutes.
    public static let defaultSeconds = 300
    /// How far from the end an out-of-order event is put in place directly.
    static let nearEnd = 64

    /// A window of `seconds` (0: events pass straight through).
    public init(seconds: Int = ReorderWindow.defaultSeconds, maxHeld: Int = 20_000) {
        span = Int64(max(0, seconds)) * 1_000_000
        self.maxHeld = max(1, maxHeld)
    }

    /// Events held now.
    public var count: Int { held.count + heap.count }

    /// Takes one event; hands on those now outside the window.
    public mutating func push(_ e: consuming LogEvent, _ emit: (consuming LogEvent) throws -> Void) rethrows {
        guard span > 0 else { return try emit(e) }
        let t = e.timestamp
        sequence += 1
        let bytes = EventPipe.approximateBytes(e)
        heldBytes += bytes
        let h = Held(event: e, seq: sequence, bytes: bytes)
        if let n = newest, t < n {
            if t.microseconds < n.microseconds - span {
                // Late: what is held came first; then this, and the window starts again here.
                late += 1
                try flush(emit)
                newest = t
                held.append(h)
                return
            }
            // Within the window: its place, after any event with the same time.
            var at = held.count
            while at > 0, at > held.count - Self.nearEnd, t < time(at - 1) { at -= 1 }
            if at == 0 || t >= time(at - 1) {
                held.insert(h, at: at)
            } else {
                heap.insert(h)
            }
        } else {
            newest = t
            held.append(h)
        }
        let horizon = (newest?.microseconds ?? 0) - span
        while let next = peekTime(), next.microseconds < horizon || count > maxHeld || heldBytes > ReorderWindow.maxHeldBytes {
            try emit(take().event)
        }
    }

    /// Hands on everything held (at the end of the input, or when a live source is idle).
    public mutating func flush(_ emit: (consuming LogEvent) throws -> Void) rethrows {
        while peekTime() != nil { try emit(take().event) }
    }

    /// The time of the held event at `i`, read in place.
    private func time(_ i: Int) -> Timestamp { held[i].event.timestamp }

    /// The time of the earliest held event (read in place: copying an event retains each of its strings).
    private func peekTime() -> Timestamp? {
        let a = held.isEmpty ? nil : time(0)
        guard !heap.isEmpty, let b = heap.min?.event.timestamp else { return a }
        guard let a else { return b }
        return b < a ? b : a
    }

    /// Takes the earliest held event out (moved, not copied).
    private mutating func take() -> Held {
        let h: Held
        if !heap.isEmpty, let b = heap.min, held.isEmpty || b.order < held[0].order {
            h = heap.removeMin()
        } else {
            h = held.removeFirst()
        }
        heldBytes -= h.bytes
        return h
    }
}
