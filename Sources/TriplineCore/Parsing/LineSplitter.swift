#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Splits bytes into lines as they arrive, with the one rule every reader of logs follows (the
/// reader, the follower, batch, the MCP evidence lookup): a newline ends a line; a line longer
/// than ``maxLineBytes`` is skipped whole, counted once, and its tail is no line of its own; at
/// the end of input an unfinished last line is a line. Lines within a chunk are handed out
/// where they lie; only a line that spans chunks is copied.
public struct LineSplitter: Sendable {
    /// The longest line read; longer ones are skipped (an attacker's megabyte of user name must
    /// not cost memory or time per byte twice).
    public static let maxLineBytes = 1 << 20

    /// What the splitter found.
    public enum Piece {
        /// A complete line, without its newline (valid only during the callback).
        case line(ByteSpan)
        /// A line over ``maxLineBytes``, skipped.
        case tooLong
        /// This many empty lines in a row (a CR before each newline allowed), counted at once:
        /// a gigabyte of newlines (decompressed from a megabyte) costs a scan, not a call per line.
        case blankLines(Int)
    }

    private var partial: [UInt8] = []
    private var discarding = false
    /// What ends a line: a newline, or, in a file that ends its lines with a carriage return
    /// alone (classic Mac OS, some network devices), that. Decided by the first chunk that
    /// holds either: CR and no LF makes it CR. (CRLF is a newline; the parsers drop the CR.)
    private var terminator: UInt8 = 0x0A
    private var decided = false

    public init() {}

    /// Bytes held of an unfinished line (they were read but belong to no line yet).
    public var pendingBytes: Int { partial.count }

    /// Forgets any unfinished line (the file was truncated or replaced).
    public mutating func reset() {
        partial = []
        discarding = false
        decided = false
        terminator = 0x0A
    }

    /// Splits `chunk`: complete lines (and over-long ones) go to `onPiece` in order; an
    /// unfinished end is kept for the next chunk.
    public mutating func push(_ chunk: ByteSpan, _ onPiece: (Piece) throws -> Void) rethrows {
        let base = chunk.base, n = chunk.count
        if !decided, n > 0 {
            if memchr(base, 0x0A, n) != nil {
                decided = true
            } else if memchr(base, 0x0D, n) != nil {
                decided = true
                terminator = 0x0D
            }
        }
        var start = 0
        while start < n, let hit = memchr(base + start, Int32(terminator), n - start) {
            let end = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            if discarding || partial.count + (end - start) > LineSplitter.maxLineBytes {
                discarding = false
                partial.removeAll(keepingCapacity: false)
                try onPiece(.tooLong)
            } else if partial.isEmpty {
                if end - start <= 1, end == start || base[start] == 0x0D {
                    // An empty line: take the run of them that follows at once.
                    var k = end + 1, run = 1
                    while k < n {
                        if base[k] == terminator {
                            k += 1
                        } else if base[k] == 0x0D, k + 1 < n, base[k + 1] == terminator {
                            k += 2
                        } else {
                            break
                        }
                        run += 1
                    }
                    try onPiece(run == 1 ? .line(ByteSpan(base: base + start, count: end - start)) : .blankLines(run))
                    start = k
                    continue
                }
                try onPiece(.line(ByteSpan(base: base + start, count: end - start)))
            } else {
                partial.append(contentsOf: UnsafeBufferPointer(start: base + start, count: end - start))
                let line = partial
                partial.removeAll(keepingCapacity: true)
                try line.withUnsafeBufferPointer { try onPiece(.line(ByteSpan($0))) }
            }
            start = end + 1
        }
        if start < n, !discarding {
            if partial.count + (n - start) > LineSplitter.maxLineBytes {
                partial.removeAll(keepingCapacity: false)
                discarding = true
            } else {
                partial.append(contentsOf: UnsafeBufferPointer(start: base + start, count: n - start))
            }
        }
    }

    /// The end of input: an unfinished last line is a line (or an over-long one).
    public mutating func finish(_ onPiece: (Piece) throws -> Void) rethrows {
        if discarding {
            discarding = false
            try onPiece(.tooLong)
            return
        }
        guard !partial.isEmpty else { return }
        let line = partial
        partial = []
        try line.withUnsafeBufferPointer { try onPiece(.line(ByteSpan($0))) }
    }
}
