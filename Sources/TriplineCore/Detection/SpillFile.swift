#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Bytes an analysis puts aside to read back later (the anomalies' JSON, runs of sorted
/// entries): appended to a temporary file that is unlinked as soon as it is opened, so that
/// nothing is left behind whatever ends the process. When no temporary file can be made (a
/// read-only `/tmp`), or a write fails (the disk is full), the bytes are kept in memory
/// instead, at the same offsets: what is read back is the same.
final class SpillFile {
    private var fd: Int32 = -1
    /// Appended, not yet written.
    private var pending: [UInt8] = []
    /// Bytes on the file.
    private var written: Int64 = 0
    /// All the bytes, when there is no file.
    private var inMemory: [UInt8] = []
    private static let flushBytes = 1 << 16

    /// A spill file in `directory` (default: `$TMPDIR`, else `/tmp`).
    init(directory: String? = nil, prefix: String = "tripline-spool") {
        let env = getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 }
        let dir = directory ?? env ?? "/tmp"
        var template = Array((dir.hasSuffix("/") ? dir : dir + "/").utf8CString.dropLast()) + Array((prefix + "-XXXXXX").utf8CString)
        let d = template.withUnsafeMutableBufferPointer { buf -> Int32 in
            guard let base = buf.baseAddress else { return -1 }
            return mkstemp(base)
        }
        if d >= 0 {
            template.withUnsafeBufferPointer { buf in if let base = buf.baseAddress { _ = unlink(base) } }
            fd = d
            pending.reserveCapacity(SpillFile.flushBytes + 8192)
        }
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Whether the bytes go to a file (false: kept in memory).
    var isOnDisk: Bool { fd >= 0 }

    /// The number of bytes appended so far (the offset the next append gets).
    var size: Int64 { fd >= 0 ? written + Int64(pending.count) : Int64(inMemory.count) }

    /// Appends `bytes` and returns the offset they start at.
    @discardableResult
    func append(_ bytes: UnsafeRawBufferPointer) -> Int64 {
        let offset = size
        if fd >= 0 {
            pending.append(contentsOf: bytes)
            if pending.count >= SpillFile.flushBytes { flush() }
        } else {
            inMemory.append(contentsOf: bytes)
        }
        return offset
    }

    /// Appends `bytes` and returns the offset they start at.
    @discardableResult
    func append(_ bytes: [UInt8]) -> Int64 { bytes.withUnsafeBytes { append($0) } }

    /// Fills `buffer` with the bytes from `offset` on (which must have been appended).
    func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        if fd >= 0, offset + Int64(buffer.count) > written { flush() }
        if fd < 0 {
            inMemory.withUnsafeBytes { src in
                if let from = src.baseAddress { base.copyMemory(from: from + Int(offset), byteCount: buffer.count) }
            }
            return
        }
        var got = 0
        while got < buffer.count {
            let n = pread(fd, base + got, buffer.count - got, off_t(offset) + off_t(got))
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            got += n
        }
        if got < buffer.count { (base + got).initializeMemory(as: UInt8.self, repeating: 0, count: buffer.count - got) }
    }

    /// The `count` bytes from `offset` on.
    func bytes(at offset: Int64, count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        out.withUnsafeMutableBytes { read(at: offset, into: $0) }
        return out
    }

    private func flush() {
        var off = 0
        while off < pending.count {
            let n = pending.withUnsafeBytes { buf -> Int in
                guard let base = buf.baseAddress else { return 0 }
                return Glibc.write(fd, base + off, buf.count - off)
            }
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
            let n = all.withUnsafeMutableBytes { buf -> Int in
                guard let base = buf.baseAddress else { return 0 }
                return pread(fd, base + got, buf.count - got, off_t(got))
            }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            got += n
        }
        all.append(contentsOf: pending[sent...])
        inMemory = all
        pending = []
        close(fd); fd = -1
    }
}
