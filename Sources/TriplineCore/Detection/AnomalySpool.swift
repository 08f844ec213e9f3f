/// The closed anomalies of one long analysis, written out as they close and read back in the
/// order of the report, in memory that does not grow with their number: a log with millions
/// of incidents costs what one with a few thousand does.
///
/// Each anomaly is written as its JSON object (``Anomaly/writeJSON(to:)``) to a ``SpillFile``
/// (a temporary file unlinked as soon as it is opened: nothing is left behind, whatever ends
/// the process). A small ``Entry`` per anomaly, to order and find it, goes to ``SortedRuns``,
/// which keeps the newest few thousand in memory and the rest in sorted runs on the same file.
/// When no temporary file can be made (a read-only `/tmp`), everything is kept in memory
/// instead: the output is the same.
public final class AnomalySpool {
    /// What is kept per anomaly (40 bytes: the words first, then the small fields).
    public struct Entry: Sendable, BitwiseCopyable {
        public var start: Int64
        /// The id's 64-bit number (Tripline's ids are `TL-` and sixteen hex digits), or the
        /// index into ``AnomalySpool``'s other ids for any other form.
        var idNumber: UInt64
        public var score: Double
        /// Where its JSON starts in the spill file (in the order they were written: the last
        /// word of the report order, so that no two entries are equal).
        var offset: Int64
        var length: Int32
        var idIsText: Bool
        public var severity: Severity
    }

    /// Ids not in Tripline's own form (none come from the detector; kept for exactness).
    final class TextIDs {
        var ids: [String] = []
    }

    /// The report's order: by start, then id (oldest first).
    struct TimeOrder: SpillOrder {
        let text: TextIDs
        func less(_ a: Entry, _ b: Entry) -> Bool {
            if a.start != b.start { return a.start < b.start }
            if !a.idIsText && !b.idIsText {
                if a.idNumber != b.idNumber { return a.idNumber < b.idNumber }
            } else {
                let x = id(a), y = id(b)
                if x != y { return x < y }
            }
            return a.offset < b.offset
        }
        func id(_ e: Entry) -> String { e.idIsText ? text.ids[Int(e.idNumber)] : Anomaly.idText(e.idNumber) }
    }

    /// The table's order: highest score first, equal scores in report order (`rank`).
    struct ScoreOrder: SpillOrder {
        struct Ranked: BitwiseCopyable {
            var entry: Entry
            var rank: Int64
        }
        func less(_ a: Ranked, _ b: Ranked) -> Bool {
            a.entry.score != b.entry.score ? a.entry.score > b.entry.score : a.rank < b.rank
        }
    }

    private let file: SpillFile
    private let text = TextIDs()
    private var entries: SortedRuns<TimeOrder>
    private var severities = [Int](repeating: 0, count: Severity.allCases.count)

    /// How many anomalies were written.
    public var count: Int { entries.count }

    /// A spool in `directory` (default: `$TMPDIR`, else `/tmp`).
    public convenience init(directory: String? = nil) { self.init(directory: directory, runLength: 8192) }

    /// A spool whose entries go to file `runLength` at a time (small in tests).
    init(directory: String?, runLength: Int) {
        file = SpillFile(directory: directory)
        entries = SortedRuns(file: file, order: TimeOrder(text: text), runLength: runLength)
    }

    /// Whether the anomalies are on disk (false: a temporary file could not be made).
    public var isOnDisk: Bool { file.isOnDisk }

    /// Counts by severity.
    public var bySeverity: [Severity: Int] {
        var out: [Severity: Int] = [:]
        for (i, s) in Severity.allCases.enumerated() where severities[i] > 0 { out[s] = severities[i] }
        return out
    }

    /// Sorted runs of entries waiting on file (a few dozen at most, however many anomalies).
    var runsWaiting: Int { entries.runsWaiting }

    /// Writes `a` out, and returns its entry.
    @discardableResult
    public func append(_ a: Anomaly) -> Entry {
        var w = JSONWriter()
        a.writeJSON(to: &w)
        var number: UInt64 = 0
        var isText = false
        if let v = Anomaly.idNumber(a.id) {
            number = v
        } else {
            number = UInt64(text.ids.count); isText = true
            text.ids.append(a.id)
        }
        let offset = file.append(w.bytes)
        let e = Entry(start: a.start.microseconds, idNumber: number, score: a.score, offset: offset,
                      length: Int32(clamping: w.bytes.count), idIsText: isText, severity: a.severity)
        entries.append(e)
        if let i = Severity.allCases.firstIndex(of: a.severity) { severities[i] += 1 }
        return e
    }

    /// Calls `body` with every entry in report order: by start, then id (oldest first).
    /// Anomalies may still be added afterwards (a live analysis's report is asked for before
    /// the end).
    public func forEachInTimeOrder(_ body: (Entry) throws -> Void) rethrows {
        // A copy (it shares the runs; only the newest few thousand entries are copied to be
        // sorted), so that `body` may ask the spool anything, or add to it.
        var view = entries
        try view.forEach(body)
    }

    /// Calls `body` with every entry by score, highest first; equal scores in report order.
    /// Sorted in bounded memory as well, through the same file.
    public func forEachByScore(_ body: (Entry) throws -> Void) rethrows {
        var ranked = SortedRuns(file: file, order: ScoreOrder())
        var rank: Int64 = 0
        forEachInTimeOrder { e in
            ranked.append(ScoreOrder.Ranked(entry: e, rank: rank))
            rank += 1
        }
        try ranked.forEach { try body($0.entry) }
    }

    /// The JSON object of the anomaly behind `e`, as ``Anomaly/writeJSON(to:)`` wrote it.
    public func json(_ e: Entry) -> [UInt8] {
        file.bytes(at: e.offset, count: Int(e.length))
    }

    /// The anomaly behind `e`, read back.
    public func anomaly(_ e: Entry) -> Anomaly? {
        let bytes = json(e)
        guard let v = try? JSONParser.parse(String(decoding: bytes, as: UTF8.self)) else { return nil }
        return try? AnomalyDocument.anomaly(v, at: "spool")
    }
}
