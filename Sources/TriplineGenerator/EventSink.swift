import Foundation
import TriplineCore

/// Collects generated events, puts them in time order and writes them out: syslog lines
/// (RFC 3339 timestamps, as Debian's rsyslog writes) and NDJSON records in the prototype's
/// schema. Only events older than the generation frontier are written, so memory holds about
/// an hour of events however many are generated.
final class EventSink {
    private var pending: [GeneratedEvent] = []
    private var seq = 0
    private let syslog: BufferedFileWriter
    private let ndjson: BufferedFileWriter
    private(set) var syslogLines = 0
    private(set) var records = 0
    private var recordWriter = JSONWriter()

    init(syslogPath: String, ndjsonPath: String) throws {
        syslog = try BufferedFileWriter(path: syslogPath)
        ndjson = try BufferedFileWriter(path: ndjsonPath)
    }

    /// Events added so far (written or pending).
    var total: Int { seq }

    func add(_ e: GeneratedEvent) {
        var e = e
        e.seq = seq
        seq += 1
        pending.append(e)
    }

    /// Writes every pending event older than `frontier`.
    func flush(before frontier: Int64) throws {
        pending.sort { ($0.time, $0.seq) < ($1.time, $1.seq) }
        let cut = pending.firstIndex { $0.time >= frontier } ?? pending.count
        for e in pending[..<cut] { try write(e) }
        pending.removeFirst(cut)
    }

    /// Writes everything and closes the files (atomically renamed into place).
    func finish() throws {
        try flush(before: Int64.max)
        try syslog.commit()
        try ndjson.commit()
    }

    private func write(_ e: GeneratedEvent) throws {
        let ts = Timestamp(microseconds: e.time)
        if let program = e.program {
            var line = rfc3339(ts)
            line += " \(e.host) \(program)[\(e.pid)]: \(e.message)\n"
            try syslog.write(line)
            syslogLines += 1
        }
        if let r = e.record {
            // The writer kept from the record before (its buffers made once, not per record).
            var w = JSONWriter()
            swap(&w, &recordWriter)
            w.bytes.removeAll(keepingCapacity: true)
            defer { swap(&w, &recordWriter) }
            w.raw("{"); w.key("timestamp"); w.string(ts.iso8601)
            w.raw(","); w.key("user"); if let u = r.user { w.string(u) } else { w.raw("null") }
            w.raw(","); w.key("source_ip"); if let s = r.sourceIP { w.string(s) } else { w.raw("null") }
            w.raw(","); w.key("event_type"); w.string(r.eventType)
            w.raw(","); w.key("action"); w.string(r.action)
            w.raw(","); w.key("message"); w.string(e.message)
            w.raw(","); w.key("host"); w.string(e.host)
            for (k, v) in r.extra {
                w.raw(","); w.string(k); w.raw(":"); w.string(v)
            }
            w.raw("}\n")
            try ndjson.write(w.bytes)
            records += 1
        }
    }

    private func rfc3339(_ t: Timestamp) -> String {
        // 2026-03-02T10:00:00.123456+00:00
        let f = CivilTime.fields(t)
        func p(_ v: Int, _ n: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, n - s.count)) + s
        }
        return "\(p(f.year, 4))-\(p(f.month, 2))-\(p(f.day, 2))T\(p(f.hour, 2)):\(p(f.minute, 2)):\(p(f.second, 2)).\(p(f.microsecond, 6))+00:00"
    }
}

/// Buffered writing to a temporary file that is renamed over the target on ``commit()``, so a
/// reader never sees half a file.
final class BufferedFileWriter {
    private let path: String
    private let tmp: String
    private let handle: FileHandle
    private var buffer: [UInt8] = []

    init(path: String) throws {
        self.path = path
        self.tmp = path + ".tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: tmp, contents: nil) else {
            throw GeneratorError.cannotWrite(path: tmp)
        }
        guard let h = FileHandle(forWritingAtPath: tmp) else { throw GeneratorError.cannotWrite(path: tmp) }
        handle = h
        buffer.reserveCapacity(1 << 20)
    }

    func write(_ s: String) throws { try write(Array(s.utf8)) }

    func write(_ bytes: [UInt8]) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 20 { try drain() }
    }

    private func drain() throws {
        try handle.write(contentsOf: Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }

    func commit() throws {
        try drain()
        try handle.close()
        if rename(tmp, path) != 0 { throw GeneratorError.cannotWrite(path: path) }
    }
}

/// Why generation failed.
public enum GeneratorError: Error, CustomStringConvertible {
    case cannotWrite(path: String)
    case invalidOption(String)

    public var description: String {
        switch self {
        case .cannotWrite(let p): return "cannot write \(p): check that the folder exists and is writable"
        case .invalidOption(let s): return s
        }
    }
}
