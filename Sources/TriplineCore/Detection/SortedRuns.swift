/// An order on plain values, for ``SortedRuns``.
protocol SpillOrder {
    associatedtype Element: BitwiseCopyable
    /// Whether `a` comes before `b` (a strict total order: equal elements are the same).
    func less(_ a: Element, _ b: Element) -> Bool
}

/// Values sorted in bounded memory, however many: they are kept in memory up to
/// ``runLength``, then sorted and written to a ``SpillFile`` as a run; runs are merged
/// ``fanIn`` at a time as they pile up, so that at most `fanIn - 1` runs of each size wait
/// (each value is written about `1 + log16(n / runLength)` times) and reading them all back in
/// order merges a few dozen runs at most, a small buffer each.
struct SortedRuns<Order: SpillOrder> {
    typealias Element = Order.Element

    private struct Run {
        var offset: Int64
        var count: Int
        /// How many merges made it: runs of one level are about `fanIn` times those below.
        var level: Int
    }

    let file: SpillFile
    let order: Order
    /// The newest values, unsorted.
    private var memory: [Element] = []
    /// The runs on file, oldest first; their levels never rise along the list.
    private var runs: [Run] = []
    /// How many values were added.
    private(set) var count = 0

    /// Values kept in memory before a run is written.
    let runLength: Int
    /// Runs merged into one.
    let fanIn: Int
    /// Values read from a run at a time, while merging.
    static var readLength: Int { 512 }

    init(file: SpillFile, order: Order, runLength: Int = 8192, fanIn: Int = 16) {
        self.file = file
        self.order = order
        self.runLength = max(1, runLength)
        self.fanIn = max(2, fanIn)
    }

    /// The runs on file (for tests: it stays small however many values are added).
    var runsWaiting: Int { runs.count }

    /// Adds a value.
    mutating func append(_ e: Element) {
        if memory.isEmpty { memory.reserveCapacity(runLength) }
        memory.append(e)
        count += 1
        if memory.count >= runLength { spill() }
    }

    private mutating func spill() {
        let order = self.order
        memory.sort { order.less($0, $1) }
        let offset = memory.withUnsafeBytes { file.append($0) }
        runs.append(Run(offset: offset, count: memory.count, level: 0))
        memory.removeAll(keepingCapacity: true)
        while runs.count >= fanIn {
            let level = runs[runs.count - 1].level
            guard runs[runs.count - fanIn].level == level else { break }
            let merging = Array(runs[(runs.count - fanIn)...])
            runs.removeLast(fanIn)
            let start = file.size
            var out: [Element] = []
            out.reserveCapacity(Self.readLength * 4)
            merge(merging, sortedMemory: []) { e in
                out.append(e)
                if out.count == out.capacity {
                    out.withUnsafeBytes { _ = file.append($0) }
                    out.removeAll(keepingCapacity: true)
                }
            }
            out.withUnsafeBytes { _ = file.append($0) }
            runs.append(Run(offset: start, count: merging.reduce(0) { $0 + $1.count }, level: level + 1))
        }
    }

    /// Calls `body` with every value, in order.
    mutating func forEach(_ body: (Element) throws -> Void) rethrows {
        let order = self.order
        memory.sort { order.less($0, $1) }
        try merge(runs, sortedMemory: memory, body)
    }

    /// A run being read: a buffer of its next values.
    private struct Cursor {
        var run: Run
        /// Values of the run read into ``buffer`` so far.
        var taken = 0
        var buffer: [Element] = []
        var at = 0
        var head: Element { buffer[at] }
    }

    /// Merges `runs` and `sortedMemory` into `body`, in order.
    private func merge(_ runs: [Run], sortedMemory: [Element], _ body: (Element) throws -> Void) rethrows {
        var cursors: [Cursor] = []
        cursors.reserveCapacity(runs.count)
        for r in runs {
            var c = Cursor(run: r)
            if refill(&c) { cursors.append(c) }
        }
        var m = 0
        // A binary heap of the cursors by their heads (a few dozen at most).
        var heap = Array(cursors.indices)
        func before(_ i: Int, _ j: Int) -> Bool { order.less(cursors[heap[i]].head, cursors[heap[j]].head) }
        func siftDown(_ from: Int) {
            var i = from
            while true {
                let l = 2 * i + 1, r = l + 1
                var best = i
                if l < heap.count, before(l, best) { best = l }
                if r < heap.count, before(r, best) { best = r }
                if best == i { return }
                heap.swapAt(i, best)
                i = best
            }
        }
        var start = heap.count / 2
        while start > 0 { start -= 1; siftDown(start) }
        while !heap.isEmpty {
            let top = heap[0]
            let e = cursors[top].head
            // What is in memory and comes first goes first.
            while m < sortedMemory.count, order.less(sortedMemory[m], e) {
                try body(sortedMemory[m]); m += 1
            }
            try body(e)
            cursors[top].at += 1
            if cursors[top].at == cursors[top].buffer.count, !refill(&cursors[top]) {
                heap[0] = heap[heap.count - 1]
                heap.removeLast()
            }
            siftDown(0)
        }
        while m < sortedMemory.count { try body(sortedMemory[m]); m += 1 }
    }

    /// Reads the next values of `c`'s run into its buffer; false when it has no more.
    private func refill(_ c: inout Cursor) -> Bool {
        let n = min(Self.readLength, c.run.count - c.taken)
        guard n > 0 else { return false }
        let stride = MemoryLayout<Element>.stride
        let offset = c.run.offset + Int64(c.taken * stride)
        c.buffer = [Element](unsafeUninitializedCapacity: n) { buf, initialized in
            file.read(at: offset, into: UnsafeMutableRawBufferPointer(buf))
            initialized = n
        }
        c.taken += n
        c.at = 0
        return true
    }
}
