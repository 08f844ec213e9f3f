import Foundation
import HeapModule

/// Several files read as one timeline without loading them: each file is nearly in time order
/// (a log is written as things happen), so the next event overall is the earliest of each
/// file's next event. Memory depends on how many files overlap in time, not on their number or
/// size: a file is opened when the timeline reaches its first event and closed at its end, so
/// a rotated set (one file after another) has one open at a time, and a central server's hosts
/// one per host.
///
/// Ties keep the order the files were given in, so the result is the one a stable sort of all
/// the events by time would give whenever each file is in order.
struct EventMerge {
    /// Files kept open from the first look to their turn; past this many, a file's first look
    /// is closed and it is opened again when its turn comes.
    static let maxKeptOpen = 64
    /// Chunk size per open file (small: many may be open at once).
    static let chunkBytes = 64 << 10

    /// One file's events pulled one at a time.
    final class Cursor {
        let index: Int
        let path: String
        private let steps: EventSteps
        private var queue: [LogEvent] = []
        private var head = 0

        /// Opens `path` for `reader`; nil when it cannot be read (`summary` then says why).
        init?(path: String, index: Int, reader: LogReader, summary: inout ParseSummary) {
            var opening = ParseSummary()
            opening.files.append(path)
            guard let steps = reader.openSteps(path, &opening, chunkBytes: EventMerge.chunkBytes) else { summary.merge(opening); return nil }
            self.index = index
            self.path = path
            self.steps = steps
        }

        /// The file's next event, reading on as needed; nil at its end.
        var current: LogEvent? {
            while head == queue.count {
                if steps.isDone { return nil }
                queue.removeAll(keepingCapacity: true)
                head = 0
                steps.step { queue.append($0) }
                // A JSON document (an array) may list its records in any order.
                if steps.isDone, steps.summary.formats[path] == .json { queue.sort { $0.timestamp < $1.timestamp } }
            }
            return queue[head]
        }

        func advance() { head += 1 }

        /// What reading the file found (complete once ``current`` is nil).
        var summary: ParseSummary { steps.summary }
    }

    /// Reads `files` as one timeline, handing each event to `onEvent`.
    static func read(_ files: [String], reader: LogReader, _ onEvent: (consuming LogEvent) throws -> Void) rethrows -> ParseSummary {
        var total = ParseSummary()
        // A first look at each file: when its timeline starts.
        struct Waiting { var first: Timestamp; var index: Int; var path: String; var cursor: Cursor? }
        var waiting: [Waiting] = []
        var keptOpen = 0
        for (i, path) in files.enumerated() {
            guard let c = Cursor(path: path, index: i, reader: reader, summary: &total) else { continue }
            guard let first = c.current?.timestamp else { total.merge(c.summary); continue }
            let keep = keptOpen < maxKeptOpen || path == "-"
            if keep { keptOpen += 1 }
            waiting.append(Waiting(first: first, index: i, path: path, cursor: keep ? c : nil))
        }
        waiting.sort { ($0.first, $0.index) < ($1.first, $1.index) }
        var next = 0
        var heap = Heap<MergeEntry>()
        while true {
            // Open every file whose timeline has started.
            while next < waiting.count, heap.min.map({ (waiting[next].first, waiting[next].index) < ($0.time, $0.cursor.index) }) ?? true {
                let w = waiting[next]
                next += 1
                var opened = w.cursor
                if opened == nil { opened = Cursor(path: w.path, index: w.index, reader: reader, summary: &total) }
                guard let c = opened else { continue }
                if let e = c.current { heap.insert(MergeEntry(time: e.timestamp, cursor: c)) } else { total.merge(c.summary) }
            }
            guard let c = heap.popMin()?.cursor else { break }
            guard let e = c.current else { total.merge(c.summary); continue }
            try onEvent(e)
            c.advance()
            if let n = c.current { heap.insert(MergeEntry(time: n.timestamp, cursor: c)) } else { total.merge(c.summary) }
        }
        return total
    }
}

/// A cursor in the merge's heap, ordered by its next event's time, then its file's place.
struct MergeEntry: Comparable {
    let time: Timestamp
    let cursor: EventMerge.Cursor

    static func < (a: MergeEntry, b: MergeEntry) -> Bool { (a.time, a.cursor.index) < (b.time, b.cursor.index) }
    static func == (a: MergeEntry, b: MergeEntry) -> Bool { a.time == b.time && a.cursor.index == b.cursor.index }
}
