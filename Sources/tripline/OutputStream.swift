import Foundation
import TriplineCore
import TriplineCommandLine
#if canImport(Glibc)
import Glibc
#endif

/// Buffered writing to a file descriptor, for commands that print millions of lines.
/// A closed pipe (`tripline parse big.log | head`) ends the program quietly.
struct BufferedOutput {
    private var buffer: [UInt8] = []
    private let fd: Int32
    private let limit = 1 << 16

    init(fd: Int32 = 1) {
        self.fd = fd
        buffer.reserveCapacity(limit + 4096)
    }

    mutating func write(_ bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= limit { flush() }
    }

    mutating func write(_ s: String) { write(Array(s.utf8)) }

    /// Writes what is buffered, then `bytes` straight from where they are (a block the caller
    /// filled itself: not copied into the buffer first).
    mutating func writeNow(_ bytes: [UInt8]) {
        flush()
        writeAll(bytes)
    }

    mutating func flush() {
        writeAll(buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    private func writeAll(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            var off = 0
            while off < raw.count {
                let n = Glibc.write(fd, base + off, raw.count - off)
                if n < 0 {
                    if errno == EINTR { continue }
                    // EPIPE: the reader went away; nothing more to say.
                    if errno == EPIPE { exit(0) }
                    printError("tripline: cannot write the output: \(String(cString: strerror(errno))) (a full disk, or a closed file?)")
                    exit(1)
                }
                off += n
            }
        }
    }
}
