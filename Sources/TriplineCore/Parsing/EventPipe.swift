import Foundation

/// Reading on one thread, detection on another: a bounded hand-over of events in batches, so that
/// parsing (a fifth to a third of an analysis) runs on the second core while the detector works.
///
/// The reader's thread fills batches of ``batchSize`` events and waits when ``capacity`` batches
/// are waiting (memory stays at a few thousand events whatever the input); the detecting thread
/// takes them in order. Events arrive exactly as one thread would have seen them, so results are
/// the same bit for bit.
public final class EventPipe: @unchecked Sendable {
    /// Events per batch.
    public static let batchSize = 2048
    /// Bytes per batch, about (see ``approximateBytes(_:)``): a batch is handed over when it
    /// holds this much even with fewer events, so what waits between the threads is bounded in
    /// bytes too (a CSV of 100,000 columns makes events of megabytes each; batches of 2,048 of
    /// them held a gigabyte).
    public static let batchBytes = 1 << 20

    /// About how much memory an event holds: its text and its structured fields.
    @inline(__always) static func approximateBytes(_ e: borrowing LogEvent) -> Int {
        256 + e.message.utf8.count + e.extra.count * 96
    }
    /// Batches waiting at most.
    public let capacity: Int

    private let condition = NSCondition()
    private var batches: [[LogEvent]] = []
    private var head = 0
    private var ended = false
    private var summary = ParseSummary()
    /// Batches the detecting side is done with, handed back so that the reading thread, which
    /// allocated their strings, frees them (glibc frees another thread's blocks under that
    /// arena's lock, contended by the reader's own allocations).
    private var spent: [[LogEvent]] = []

    /// A pipe holding at most `capacity` batches.
    public init(capacity: Int = 2) { self.capacity = max(1, capacity) }

    /// Reads `paths` with `reader` (several files merged by time) on a new thread and calls
    /// `onEvent` on this one with each event in order; returns what the reading found. Runs on
    /// this thread alone when `threads` is 1.
    public static func read(paths: [String], reader: LogReader, threads: Int, _ onEvent: (consuming LogEvent) -> Void) -> ParseSummary {
        run(threads: threads, reading: { reader.readMerged(paths: paths, $0) }, onEvent)
    }

    /// Runs `reading` (which hands each event it reads to the function it is given) on a new
    /// thread, and `onEvent` on this one with each event in order; on this thread alone when
    /// `threads` is 1.
    public static func run(threads: Int, reading: @escaping @Sendable ((consuming LogEvent) -> Void) -> ParseSummary,
                           _ onEvent: (consuming LogEvent) -> Void) -> ParseSummary {
        guard threads > 1 else { return reading(onEvent) }
        let pipe = EventPipe()
        let thread = Thread {
            var batch: [LogEvent] = []
            batch.reserveCapacity(EventPipe.batchSize)
            var bytes = 0
            let summary = reading { e in
                bytes += EventPipe.approximateBytes(e)
                batch.append(e)
                if batch.count == EventPipe.batchSize || bytes >= EventPipe.batchBytes {
                    batch = pipe.put(batch)
                    bytes = 0
                }
            }
            if !batch.isEmpty { _ = pipe.put(batch) }
            pipe.end(summary)
        }
        thread.stackSize = 8 << 20
        thread.start()
        while let batch = pipe.take() {
            for e in batch { onEvent(e) }
            pipe.giveBack(batch)
        }
        return pipe.finalSummary()
    }

    /// Adds a batch, waiting while the pipe is full; frees the batches given back and returns
    /// one of them emptied, its room kept, to fill next (a batch is half a megabyte: allocated
    /// afresh each time, its pages were faulted in and zeroed by the kernel on every batch).
    func put(_ batch: consuming [LogEvent]) -> [LogEvent] {
        condition.lock()
        while batches.count - head >= capacity { condition.wait() }
        batches.append(batch)
        var done: [[LogEvent]] = []
        swap(&done, &spent)
        condition.broadcast()
        condition.unlock()
        var next = done.popLast() ?? []
        done.removeAll()
        next.removeAll(keepingCapacity: true)
        if next.capacity < EventPipe.batchSize { next.reserveCapacity(EventPipe.batchSize) }
        return next
    }

    /// Hands a processed batch back to the reading thread to free (and fill again).
    func giveBack(_ batch: consuming [LogEvent]) {
        // Only full batches of small events go back: a batch cut short by its bytes holds a
        // few large events, freed here at once rather than kept waiting.
        guard batch.count == EventPipe.batchSize else { return }
        condition.lock()
        if spent.count < 2 * capacity { spent.append(batch) }
        condition.unlock()
    }

    /// Marks the end of the input, with what the reading found.
    func end(_ s: ParseSummary) {
        condition.lock()
        summary = s
        ended = true
        condition.broadcast()
        condition.unlock()
    }

    /// The next batch, waiting for one; nil after the last.
    func take() -> [LogEvent]? {
        condition.lock()
        defer { condition.unlock() }
        while head == batches.count && !ended { condition.wait() }
        guard head < batches.count else { return nil }
        let b = batches[head]
        batches[head] = []
        head += 1
        if head == batches.count { batches.removeAll(keepingCapacity: true); head = 0 }
        condition.broadcast()
        return b
    }

    /// What the reading found (after ``take()`` returned nil).
    func finalSummary() -> ParseSummary {
        condition.lock()
        defer { condition.unlock() }
        return summary
    }
}
