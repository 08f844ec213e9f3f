import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The text behind evidence locations: chosen lines of a log file, counted as the reader counts
/// them (one ``LineSplitter``, one rule for over-long lines), from a plain file, a gzip, xz or
/// zstd file (decompressed as far as the last line wanted), or a journal file (entry N among
/// those the reader selects, as the syslog line it was read as).
public enum EvidenceLines {
    /// What stands for a line over ``LineSplitter/maxLineBytes``.
    public static let tooLong = "(a line over 1 MiB, not shown)"

    /// The text of `lines` (1-based) in the file open as `fd`, each cut to `maxBytes`; lines
    /// past the end are absent. Takes the descriptor and closes it.
    public static func read(_ fd: Int32, lines wanted: Set<Int>, maxBytes: Int = 2000) -> [Int: String] {
        var found: [Int: String] = [:]
        guard let last = wanted.max() else {
            close(fd)
            return found
        }
        var head = [UInt8](repeating: 0, count: 8)
        let got = pread(fd, &head, 8, 0)
        let span = { (s: ByteSpan) in s.string(0, min(s.count, maxBytes)) }
        if got == 8, head.withUnsafeBufferPointer({ JournalReader.isJournal(head: ByteSpan($0)) }) {
            // The reader takes the descriptor (closed with it, or at once if it fails).
            guard let journal = try? JournalReader(fileDescriptors: [fd], name: "", options: ParseOptions()) else { return found }
            journal.seek(after: nil)
            journal.readLines { n, line in
                if wanted.contains(n) { found[n] = span(line) }
                return n < last
            }
            return found
        }
        defer { close(fd) }
        var n = 0
        var splitter = LineSplitter()
        func piece(_ p: LineSplitter.Piece) {
            if case .blankLines(let run) = p {
                for _ in 0..<run {
                    n += 1
                    if wanted.contains(n) { found[n] = span(ByteSpan(base: ByteSpan.emptyBase, count: 0)) }
                }
                return
            }
            n += 1
            guard wanted.contains(n) else { return }
            switch p {
            case .line(let line): found[n] = span(line)
            case .tooLong: found[n] = tooLong
            case .blankLines: break
            }
        }
        if got > 0, let format = head.prefix(max(0, got)).withUnsafeBufferPointer({ Decompressor.Format.detect(ByteSpan($0)) }) {
            // Damage stops the lines there; those before it are found.
            try? Decompressor.stream(fd, format: format) { chunk in
                splitter.push(chunk, piece)
                return n < last
            }
        } else {
            let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: 1 << 16)
            defer { buffer.deallocate() }
            var offset: off_t = 0
            while n < last {
                let r = pread(fd, buffer, 1 << 16, offset)
                if r < 0, errno == EINTR { continue }
                if r <= 0 { break }
                offset += off_t(r)
                splitter.push(ByteSpan(base: buffer, count: r), piece)
            }
        }
        if n < last { splitter.finish(piece) }
        return found
    }
}
