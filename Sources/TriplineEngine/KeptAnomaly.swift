import TriplineCore

/// An anomaly as a long-running store keeps it: what filters and ordering read as fields, and the
/// rest (reasons, evidence, details) packed into bytes in the store's slabs (``PackedSlabs``),
/// read back when the anomaly is handed out.
///
/// An ``Anomaly`` of a brute force holds a few dozen allocations (each reason, each evidence
/// location's file, the details' keys, values and lists): about 4 KB each, 40 MB for the 10,000
/// `tripline serve` keeps, spread over the pages of the analysis that made them, which could
/// then not be handed back. Packed, one is about a kilobyte inside a slab of a megabyte (served
/// from mmap, so returned whole when let go) and no allocation of its own for a Tripline id and
/// short names. The packing is exact: the anomaly read back equals the anomaly it was made from
/// (test `keptAnomaliesReadBackExactly`).
public struct KeptAnomaly: Sendable {
    /// The id, as a number for Tripline's own `TL-` and sixteen hex digits (no allocation).
    let key: Key
    enum Key: Hashable, Comparable, Sendable {
        case tripline(UInt64)
        case text(String)

        init(_ id: String) {
            if let v = Anomaly.idNumber(id) { self = .tripline(v) } else { self = .text(id) }
        }

        var id: String {
            switch self {
            case .tripline(let v): return Anomaly.idText(v)
            case .text(let s): return s
            }
        }

        /// The order of the ids as text, without writing a Tripline id out: sixteen lowercase
        /// hex digits after the same prefix sort as the numbers do.
        static func < (a: Key, b: Key) -> Bool {
            if case .tripline(let x) = a, case .tripline(let y) = b { return x < y }
            return a.id < b.id
        }
    }
    public let kind: AnomalyKind
    public let start: Timestamp
    public let lastSeen: Timestamp
    public let user: String?
    public let sourceIP: String?
    public let host: String?
    public let score: Double
    let eventCount: Int
    let evidenceTruncated: Bool
    /// Where its reasons, evidence and details are packed (see ``Packer``).
    var at: PackedSlabs.Location

    /// The id.
    public var id: String { key.id }

    /// The fields of `a`, its packed rest in `slabs`.
    init(_ a: Anomaly, into slabs: inout PackedSlabs) {
        key = Key(a.id); kind = a.kind; start = a.start; lastSeen = a.lastSeen
        user = a.user; sourceIP = a.sourceIP; host = a.host; score = a.score
        eventCount = a.eventCount; evidenceTruncated = a.evidenceTruncated
        var p = Packer()
        p.count(a.reasons.count)
        for r in a.reasons { p.string(r) }
        p.count(a.evidence.count)
        var lastFile: String?
        for e in a.evidence {
            // Locations mostly share a file: written once, then referred back to.
            // A flag byte: 1, a new file follows; 2, a line number follows.
            let newFile = e.file != lastFile
            p.bytes.append((newFile ? 1 : 0) | (e.line != nil ? 2 : 0))
            if newFile { p.string(e.file); lastFile = e.file }
            if let line = e.line { p.int(Int64(line)) }
        }
        p.value(.object(a.details))
        at = slabs.append(p.bytes)
    }

    /// Severity from the score.
    public var severity: Severity { Severity(score: score) }

    /// The anomaly, its rest read from `slabs`.
    func anomaly(in slabs: PackedSlabs) -> Anomaly {
        var u = Unpacker(bytes: slabs[at])
        var reasons: [String] = []
        for _ in 0..<u.count() { reasons.append(u.string()) }
        var evidence: [EvidenceLocation] = []
        var file = ""
        for _ in 0..<u.count() {
            let flags = u.byte()
            if flags & 1 != 0 { file = u.string() }
            evidence.append(EvidenceLocation(file: file, line: flags & 2 != 0 ? Int(u.int()) : nil))
        }
        var details: [String: JSONValue] = [:]
        if case .object(let o) = u.value() { details = o }
        var a = Anomaly(id: id, kind: kind, start: start, lastSeen: lastSeen, user: user, sourceIP: sourceIP, host: host, score: score,
                        reasons: reasons, eventCount: eventCount, evidence: evidence, details: details)
        a.evidenceTruncated = evidenceTruncated
        return a
    }

    /// Whether it passes `filter` (read from the fields, nothing unpacked).
    func matches(_ f: AnomalyFilter) -> Bool {
        f.matches(severity: severity, kind: kind, user: user, sourceIP: sourceIP, host: host, start: start, lastSeen: lastSeen)
    }
}

/// Writes numbers, strings and JSON values into bytes (little-endian, lengths first).
struct Packer {
    var bytes: [UInt8] = []

    mutating func int(_ v: Int64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func count(_ n: Int) { int(Int64(n)) }
    mutating func string(_ s: String) {
        count(s.utf8.count)
        bytes.append(contentsOf: s.utf8)
    }

    mutating func value(_ v: JSONValue) {
        switch v {
        case .null: bytes.append(0)
        case .bool(let b): bytes.append(b ? 2 : 1)
        case .int(let i): bytes.append(3); int(i)
        case .double(let d): bytes.append(4); int(Int64(bitPattern: d.bitPattern))
        case .string(let s): bytes.append(5); string(s)
        case .array(let a):
            bytes.append(6); count(a.count)
            for x in a { value(x) }
        case .object(let o):
            bytes.append(7); count(o.count)
            for (k, x) in o { string(k); value(x) }
        }
    }
}

/// Reads what ``Packer`` wrote; past the end it reads zeros and empty strings (never traps).
struct Unpacker {
    let bytes: ArraySlice<UInt8>
    var at: Int

    init(bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        at = bytes.startIndex
    }

    mutating func byte() -> UInt8 {
        guard at < bytes.endIndex else { return 0 }
        at += 1
        return bytes[at - 1]
    }

    mutating func int() -> Int64 {
        guard at + 8 <= bytes.endIndex else { at = bytes.endIndex; return 0 }
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(bytes[at + i]) << (8 * UInt64(i)) }
        at += 8
        return Int64(bitPattern: v)
    }

    mutating func count() -> Int { max(0, min(Int(int()), bytes.endIndex - at)) }

    mutating func string() -> String {
        let n = count()
        defer { at += n }
        return String(decoding: bytes[at..<at + n], as: UTF8.self)
    }

    mutating func value() -> JSONValue {
        switch byte() {
        case 1: return .bool(false)
        case 2: return .bool(true)
        case 3: return .int(int())
        case 4: return .double(Double(bitPattern: UInt64(bitPattern: int())))
        case 5: return .string(string())
        case 6:
            var a: [JSONValue] = []
            for _ in 0..<count() { a.append(value()) }
            return .array(a)
        case 7:
            var o: [String: JSONValue] = [:]
            for _ in 0..<count() {
                let k = string()
                o[k] = value()
            }
            return .object(o)
        default: return .null
        }
    }
}

/// The bytes of a store's packed anomalies, in slabs of a megabyte: large blocks come from mmap
/// (see ``MemoryTuning``), so a slab let go goes back to the system whole, and what is kept
/// never pins pages of the heap that a large analysis used.
struct PackedSlabs: Sendable {
    /// Bytes per slab (a record larger than this gets a slab of its own).
    static let slabBytes = 1 << 20
    private var slabs: [[UInt8]] = []
    /// Bytes of records still referred to, and of all records written.
    private(set) var liveBytes = 0
    private(set) var writtenBytes = 0

    struct Location: Sendable {
        var slab: Int32
        var offset: Int32
        var count: Int32
    }

    /// Stores `bytes`, returning where.
    mutating func append(_ bytes: [UInt8]) -> Location {
        if slabs.isEmpty || slabs[slabs.count - 1].count + bytes.count > PackedSlabs.slabBytes {
            var slab: [UInt8] = []
            slab.reserveCapacity(max(PackedSlabs.slabBytes, bytes.count))
            slabs.append(slab)
        }
        let i = slabs.count - 1
        let at = Location(slab: Int32(i), offset: Int32(slabs[i].count), count: Int32(bytes.count))
        slabs[i].append(contentsOf: bytes)
        liveBytes += bytes.count
        writtenBytes += bytes.count
        return at
    }

    /// The record at `at`.
    subscript(at: Location) -> ArraySlice<UInt8> {
        guard slabs.indices.contains(Int(at.slab)) else { return [] }
        let slab = slabs[Int(at.slab)]
        let lo = min(Int(at.offset), slab.count), hi = min(lo + Int(at.count), slab.count)
        return slab[lo..<hi]
    }

    /// Notes that the record at `at` is no longer referred to.
    mutating func release(_ at: Location) { liveBytes -= Int(at.count) }

    /// Whether most of what was written is no longer referred to (time to copy the rest over).
    var isMostlyDead: Bool { writtenBytes > PackedSlabs.slabBytes && liveBytes * 2 < writtenBytes }
}
