import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Newlines in the bytes `from..<to` of a file (what the follower and batch count lines with).
func countNewlines(_ fd: Int32, from: Int64, to: Int64) -> Int {
    var count = 0
    var pos = from
    var buf = [UInt8](repeating: 0, count: 1 << 20)
    while pos < to {
        let want = Int(min(Int64(buf.count), to - pos))
        let n = buf.withUnsafeMutableBytes { pread(fd, $0.baseAddress, want, off_t(pos)) }
        if n <= 0 { break }
        buf.withUnsafeBytes { raw in
            var p = raw.baseAddress!
            var left = n
            while left > 0, let hit = memchr(p, 0x0A, left) {
                count += 1
                let used = p.distance(to: UnsafeRawPointer(hit)) + 1
                p += used
                left -= used
            }
        }
        pos += Int64(n)
    }
    return count
}
