import Foundation
import TriplineCore
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

    mutating func flush() {
        var off = 0
        while off < buffer.count {
            let n = buffer.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + off, $0.count - off) }
            if n < 0 {
                if errno == EINTR { continue }
                // EPIPE: the reader went away; nothing more to say.
                exit(errno == EPIPE ? 0 : 1)
            }
            off += n
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
