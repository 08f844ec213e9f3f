#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The closed anomalies of one long analysis, written out as they close and read back in the
/// order of the report, so that a log with tens of thousands of incidents costs a few dozen
/// bytes of memory per incident rather than the few kilobytes its reasons, evidence and details
/// take as an ``Anomaly``.
///
/// Each anomaly is written as its JSON object (``Anomaly/writeJSON(to:)``) to a temporary file
/// that is unlinked as soon as it is opened (nothing is left behind, whatever ends the process);
/// memory keeps one small ``Entry`` per anomaly for ordering and counting. When no temporary
/// file can be made (a read-only `/tmp`), the JSON objects are kept in memory instead: the
/// output is the same.
public final class AnomalySpool {
    /// What is kept in memory per anomaly (40 bytes: the words first, then the small fields).
    public struct Entry: Sendable {
        public var start: Int64
        /// The id's 64-bit number (Tripline's ids are `TL-` and sixteen hex digits), or the
        /// index into ``AnomalySpool``'s other ids for any other form.
        var idNumber: UInt64
        public var score: Double
        var offset: Int64
        var length: Int32
        var idIsText: Bool
        public var severity: Severity
    }

    /// The entries, in chunks of ``chunkSize`` in the order they closed, or (after
    /// ``inTimeOrder()``) one chunk in report order followed by any closed since: growing never
    /// copies them all into a table twice their size, as one array's growth would.
    private var chunks: [[Entry]] = []
    /// Whether the first chunk is in report order (it then takes no more entries: those closed
    /// later go to new chunks, merged in at the next ``inTimeOrder()``).
    private var ordered = false
    static let chunkSize = 4096
    /// How many anomalies were written.
    public private(set) var count = 0
    /// Ids not in Tripline's own form (none come from the detector; kept for exactness).
    private var textIDs: [String] = []
    private var fd: Int32 = -1
    private var pending: [UInt8] = []
    private var written: Int64 = 0
    /// The JSON objects, when no temporary file could be made.
    private var inMemory: [UInt8] = []
    private static let flushBytes = 1 << 16

    /// A spool in `directory` (default: `$TMPDIR`, else `/tmp`).
    public init(directory: String? = nil) {
        let env = getenv("TMPDIR").map { String(cString: $0) }
        let dir = directory ?? (env?.isEmpty == false ? env! : "/tmp")
        var template = Array((dir.hasSuffix("/") ? dir : dir + "/").utf8CString.dropLast()) + Array("tripline-spool-XXXXXX".utf8CString)
        let d = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        if d >= 0 {
            template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
            fd = d
        }
        pending.reserveCapacity(AnomalySpool.flushBytes + 8192)
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Whether the anomalies are on disk (false: a temporary file could not be made).
    public var isOnDisk: Bool { fd >= 0 }

    /// Counts by severity.
    public var bySeverity: [Severity: Int] {
        var out: [Severity: Int] = [:]
        for chunk in chunks { for e in chunk { out[e.severity, default: 0] += 1 } }
        return out
    }

    /// Writes `a` out.
    public func append(_ a: Anomaly) {
        var w = JSONWriter()
        a.writeJSON(to: &w)
        var number: UInt64 = 0
        var isText = false
        if let v = Anomaly.idNumber(a.id) {
            number = v
        } else {
            number = UInt64(textIDs.count); isText = true
            textIDs.append(a.id)
        }
        let offset: Int64
        if fd >= 0 {
            offset = written + Int64(pending.count)
            pending.append(contentsOf: w.bytes)
            if pending.count >= AnomalySpool.flushBytes { flush() }
        } else {
            offset = Int64(inMemory.count)
            inMemory.append(contentsOf: w.bytes)
        }
        let e = Entry(start: a.start.microseconds, idNumber: number, score: a.score, offset: offset,
                      length: Int32(clamping: w.bytes.count), idIsText: isText, severity: a.severity)
        if chunks.isEmpty || chunks[chunks.count - 1].count >= AnomalySpool.chunkSize || (ordered && chunks.count == 1) {
            chunks.append([])
            chunks[chunks.count - 1].reserveCapacity(AnomalySpool.chunkSize)
        }
        chunks[chunks.count - 1].append(e)
        count += 1
    }

    private func flush() {
        var off = 0
        while off < pending.count {
            let n = pending.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + off, $0.count - off) }
            if n < 0 {
                if errno == EINTR { continue }
                // The disk is full or gone: keep the rest in memory, as if no file could be made.
                moveToMemory(keepingFrom: off)
                return
            }
            off += n
        }
        written += Int64(pending.count)
        pending.removeAll(keepingCapacity: true)
    }

    /// Reads what reached the file back into memory and goes on there (a write failed after
    /// `sent` bytes of ``pending`` had been written).
    private func moveToMemory(keepingFrom sent: Int) {
        let onFile = Int(written) + sent
        var all = [UInt8](repeating: 0, count: onFile)
        var got = 0
        while got < onFile {
            let n = all.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + got, $0.count - got, off_t(got)) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            got += n
        }
        all.append(contentsOf: pending[sent...])
        inMemory = all
        pending = []
        close(fd); fd = -1
    }

    /// The `i`th anomaly written (in the order they closed, until ``inTimeOrder()`` orders them).
    public func entry(at i: Int) -> Entry {
        var rest = i
        for chunk in chunks {
            if rest < chunk.count { return chunk[rest] }
            rest -= chunk.count
        }
        preconditionFailure("AnomalySpool.entry(at:): \(i) of \(count)")
    }

    /// The entries in report order: by start, then id (oldest first). The spool keeps them in
    /// that order from then on (sorted in place, chunk by chunk moved into one table, so the
    /// peak is the entries and one chunk, not the entries twice).
    public func inTimeOrder() -> [Entry] {
        if ordered && chunks.count == 1 { return chunks[0] }
        var all: [Entry] = []
        all.reserveCapacity(count)
        for i in chunks.indices {
            all.append(contentsOf: chunks[i])
            chunks[i] = []
        }
        chunks = []
        all.sort { a, b in
            if a.start != b.start { return a.start < b.start }
            return idLess(a, b)
        }
        chunks = [all]
        ordered = true
        return all
    }

    private func idLess(_ a: Entry, _ b: Entry) -> Bool {
        if !a.idIsText && !b.idIsText { return a.idNumber < b.idNumber }
        return idText(a) < idText(b)
    }

    private func idText(_ e: Entry) -> String {
        e.idIsText ? textIDs[Int(e.idNumber)] : Anomaly.idText(e.idNumber)
    }

    /// The JSON object of the anomaly behind `e`, as ``Anomaly/writeJSON(to:)`` wrote it.
    public func json(_ e: Entry) -> [UInt8] {
        if fd < 0 {
            let s = Int(e.offset)
            return Array(inMemory[s..<(s + Int(e.length))])
        }
        if e.offset + Int64(e.length) > written { flush() }
        if fd < 0 { return json(e) }
        var out = [UInt8](repeating: 0, count: Int(e.length))
        var got = 0
        while got < out.count {
            let n = out.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + got, $0.count - got, off_t(e.offset) + off_t(got)) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            got += n
        }
        return out
    }

    /// The anomaly behind `e`, read back.
    public func anomaly(_ e: Entry) -> Anomaly? {
        let bytes = json(e)
        guard let v = try? JSONParser.parse(String(decoding: bytes, as: UTF8.self)) else { return nil }
        return try? AnomalyDocument.anomaly(v, at: "spool")
    }
}
