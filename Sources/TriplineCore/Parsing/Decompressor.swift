import CCompression
import Foundation

/// Compressed input turned back into the original bytes as it is read, in bounded memory:
/// gzip (logrotate's default; several members one after another, as `cat a.gz b.gz` makes,
/// read as one), xz and zstd (several streams or frames likewise). Recognised by the first
/// bytes, never by the name.
///
/// Hostile input costs time in proportion to what it expands to and a fixed amount of memory:
/// an xz stream asking for a dictionary over ``maxDecoderBytes`` and a zstd frame with a window
/// over 128 MiB are refused as corrupt.
public final class Decompressor {
    /// A compression format, recognised by its magic bytes.
    public enum Format: String, Sendable {
        case gzip, xz, zstd

        /// The format `head` (a file's first bytes) starts with, or nil for none of them.
        public static func detect(_ head: ByteSpan) -> Format? {
            func starts(_ magic: [UInt8]) -> Bool {
                head.count >= magic.count && magic.indices.allSatisfy { head.base[$0] == magic[$0] }
            }
            if starts([0x1F, 0x8B]) { return .gzip }
            if starts([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) { return .xz }
            if starts([0x28, 0xB5, 0x2F, 0xFD]) { return .zstd }
            return nil
        }
    }

    /// Why the compressed bytes could not be read to their end.
    public struct Failure: Error, Sendable {
        /// What went wrong, for the unreadable-files list (names the format and the offset).
        public let reason: String
        public init(reason: String) { self.reason = reason }
    }

    /// Most memory an xz decoder may take (its dictionary): xz's own presets use at most 64 MiB.
    static let maxDecoderBytes: UInt64 = 256 << 20
    static let inputBytes = 256 << 10

    /// The format being read.
    public let format: Format
    private let input: UnsafeMutablePointer<UInt8>
    private var inputStart = 0
    private var inputEnd = 0
    private var inputDone = false
    /// Compressed bytes consumed so far (for error messages and the ratio of a bomb).
    public private(set) var consumed = 0
    private var finished = false
    /// A member, stream or frame just ended: the next input decides whether another follows.
    private var atBoundary = false
    /// A failure met after some bytes were produced, thrown at the next call.
    private var pendingFailure: Failure?
    private var zlib = z_stream()
    private var lzma = lzma_stream()
    private var zstd: OpaquePointer?

    /// A decompressor for `format` whose first compressed bytes are `head` (already read from
    /// the source while recognising it), if any.
    public init(format: Format, head: ByteSpan? = nil) throws(Failure) {
        self.format = format
        let count = head?.count ?? 0
        input = .allocate(capacity: max(Self.inputBytes, count))
        if let head, count > 0 { input.update(from: head.base, count: count) }
        inputEnd = count
        switch format {
        case .gzip:
            guard tl_inflate_init_gzip(&zlib) == Z_OK else { input.deallocate(); throw Failure(reason: "gzip: cannot start the decoder") }
        case .xz:
            guard lzma_stream_decoder(&lzma, Self.maxDecoderBytes, tl_lzma_concatenated) == LZMA_OK else {
                input.deallocate(); throw Failure(reason: "xz: cannot start the decoder")
            }
        case .zstd:
            guard let d = ZSTD_createDStream() else { input.deallocate(); throw Failure(reason: "zstd: cannot start the decoder") }
            zstd = d
            _ = ZSTD_initDStream(d)
        }
    }

    deinit {
        switch format {
        case .gzip: inflateEnd(&zlib)
        case .xz: lzma_end(&lzma)
        case .zstd: ZSTD_freeDStream(zstd)
        }
        input.deallocate()
    }

    /// Fills `out` with up to `capacity` decompressed bytes, pulling compressed bytes from `next`
    /// (which returns how many it read, 0 at the end, `-(errno) - 1` on a read error). Returns
    /// how many bytes were written (0 at the end of the data) or a read error from `next`;
    /// throws ``Failure`` for corrupt or truncated data.
    public func read(into out: UnsafeMutablePointer<UInt8>, capacity: Int,
              from next: (UnsafeMutablePointer<UInt8>, Int) -> Int) throws(Failure) -> Int {
        if let f = pendingFailure { pendingFailure = nil; finished = true; throw f }
        var produced = 0
        do throws(Failure) {
            while produced < capacity && !finished {
                if inputStart == inputEnd && !inputDone {
                    let n = next(input, Self.inputBytes)
                    if n < 0 { return produced > 0 ? produced : n }
                    inputStart = 0
                    inputEnd = n
                    inputDone = n == 0
                }
                if atBoundary {
                    atBoundary = false
                    if inputStart == inputEnd { finished = true; break }
                    if format == .gzip {
                        // Another member, or zero padding after the last (ignored, as `gzip -d`
                        // does). Anything else is an error, as it is for xz: the file was
                        // damaged, or written to after it was compressed.
                        while true {
                            while inputStart < inputEnd, input[inputStart] == 0 { inputStart += 1; consumed += 1 }
                            if inputStart < inputEnd || inputDone { break }
                            let n = next(input, Self.inputBytes)
                            if n < 0 { return produced > 0 ? produced : n }
                            inputStart = 0
                            inputEnd = n
                            inputDone = n == 0
                        }
                        if inputStart == inputEnd { finished = true; break }
                        guard input[inputStart] == 0x1F else {
                            throw Failure(reason: "gzip: what follows the compressed data at compressed byte \(consumed) is not gzip (the file is damaged, or was written to after it was compressed)")
                        }
                        inflateReset(&zlib)
                    }
                }
                let before = (inputStart, produced)
                let ended = try step(out + produced, capacity - produced, &produced)
                consumed += inputStart - before.0
                if ended {
                    // xz's LZMA_CONCATENATED reads every stream, then ends.
                    if format == .xz { finished = true } else { atBoundary = true }
                } else if inputDone && inputStart == inputEnd && produced == before.1 {
                    throw Failure(reason: "\(format.rawValue): the data ends early (truncated after \(consumed) compressed bytes)")
                }
            }
        } catch {
            guard produced > 0 else { finished = true; throw error }
            pendingFailure = error
        }
        return produced
    }

    /// One call into the codec; true when a gzip member, xz stream set or zstd frame ended.
    private func step(_ out: UnsafeMutablePointer<UInt8>, _ room: Int, _ produced: inout Int) throws(Failure) -> Bool {
        let avail = inputEnd - inputStart
        switch format {
        case .gzip:
            zlib.next_in = input + inputStart
            zlib.avail_in = UInt32(avail)
            zlib.next_out = out
            zlib.avail_out = UInt32(room)
            let rc = inflate(&zlib, Z_NO_FLUSH)
            inputStart = inputEnd - Int(zlib.avail_in)
            produced += room - Int(zlib.avail_out)
            switch rc {
            case Z_STREAM_END: return true
            case Z_OK, Z_BUF_ERROR: return false
            default:
                let why = zlib.msg.map { String(cString: $0) } ?? "error \(rc)"
                throw Failure(reason: "gzip: corrupt data near compressed byte \(consumed + avail - Int(zlib.avail_in)) (\(why))")
            }
        case .xz:
            lzma.next_in = UnsafePointer(input + inputStart)
            lzma.avail_in = avail
            lzma.next_out = out
            lzma.avail_out = room
            let rc = lzma_code(&lzma, inputDone ? LZMA_FINISH : LZMA_RUN)
            inputStart = inputEnd - lzma.avail_in
            produced += room - lzma.avail_out
            switch rc {
            case LZMA_STREAM_END: return true
            case LZMA_OK, LZMA_BUF_ERROR: return false
            case LZMA_MEMLIMIT_ERROR: throw Failure(reason: "xz: the stream asks for more than \(Self.maxDecoderBytes >> 20) MiB to decode")
            default: throw Failure(reason: "xz: corrupt data near compressed byte \(consumed + avail - lzma.avail_in) (code \(rc.rawValue))")
            }
        case .zstd:
            var inBuf = ZSTD_inBuffer(src: input + inputStart, size: avail, pos: 0)
            var outBuf = ZSTD_outBuffer(dst: out, size: room, pos: 0)
            let rc = ZSTD_decompressStream(zstd, &outBuf, &inBuf)
            inputStart += inBuf.pos
            produced += outBuf.pos
            if ZSTD_isError(rc) != 0 {
                throw Failure(reason: "zstd: corrupt data near compressed byte \(consumed + inBuf.pos) (\(String(cString: ZSTD_getErrorName(rc))))")
            }
            return rc == 0
        }
    }
}

extension Decompressor {
    /// What a whole compressed file holds, found by decompressing it once without parsing:
    /// its decompressed size, lines (an unfinished last line counts: the file is complete) and
    /// first `headBytes` bytes. Throws ``Failure`` for damaged or truncated data.
    public struct Contents: Sendable {
        public var size: Int64 = 0
        public var lines = 0
        public var head: [UInt8] = []
    }

    /// Decompresses the file open as `fd` (compressed as `format`) from its start, handing each
    /// piece of decompressed bytes to `body` until it returns false or the data ends.
    public static func stream(_ fd: Int32, format: Format, _ body: (ByteSpan) -> Bool) throws(Failure) {
        let d = try Decompressor(format: format)
        let capacity = 1 << 20
        let out = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        defer { out.deallocate() }
        var raw: Int64 = 0
        while true {
            let n = try d.read(into: out, capacity: capacity) { buf, cap in
                while true {
                    let got = pread(fd, buf, cap, off_t(raw))
                    if got < 0, errno == EINTR { continue }
                    if got > 0 { raw += Int64(got) }
                    return got < 0 ? -Int(errno) - 1 : got
                }
            }
            if n < 0 { throw Failure(reason: String(cString: strerror(Int32(-n - 1)))) }
            if n == 0 || !body(ByteSpan(base: out, count: n)) { return }
        }
    }

    /// Decompresses the whole file open as `fd` to learn its ``Contents``.
    public static func contents(of fd: Int32, format: Format, headBytes: Int = 4096) throws(Failure) -> Contents {
        var c = Contents()
        var last: UInt8 = 0x0A
        try stream(fd, format: format) { piece in
            if c.head.count < headBytes {
                let take = min(headBytes - c.head.count, piece.count)
                c.head.append(contentsOf: UnsafeBufferPointer(start: piece.base, count: take))
            }
            c.lines += piece.count(of: 0x0A)
            c.size += Int64(piece.count)
            last = piece.base[piece.count - 1]
            return true
        }
        if last != 0x0A { c.lines += 1 }
        return c
    }
}
