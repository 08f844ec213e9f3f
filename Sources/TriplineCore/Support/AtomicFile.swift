import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes a file whole or not at all, with the permissions its contents call for: a temporary
/// file beside it is created with `mode` (never wider; the umask may narrow it further),
/// written, flushed to disk and renamed over the target. Models hold every user's habits
/// (0600); reports and exports name attackers and victims (0640).
public enum AtomicFile {
    /// Owner only: models, spools.
    public static let privateMode: mode_t = 0o600
    /// Owner and group (a SOC group may read reports): reports and exports.
    public static let reportMode: mode_t = 0o640

    /// Why a write failed.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let path: String
        public let reason: String
        public var description: String { "cannot write \(path): \(reason)" }
    }

    /// Writes `bytes` to `path` atomically with `mode`.
    public static func write(_ bytes: some Collection<UInt8>, to path: String, mode: mode_t) throws(Failure) {
        let tmp = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw Failure(path: path, reason: String(cString: strerror(errno))) }
        var ok = true
        var reason = ""
        let data = Array(bytes)
        data.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            var off = 0
            while off < raw.count {
                let n = Glibc.write(fd, base + off, raw.count - off)
                if n < 0, errno == EINTR { continue }
                if n <= 0 {
                    ok = false
                    reason = String(cString: strerror(errno))
                    return
                }
                off += n
            }
        }
        if ok, fsync(fd) != 0 {
            ok = false
            reason = String(cString: strerror(errno))
        }
        close(fd)
        if ok, rename(tmp, path) != 0 {
            ok = false
            reason = String(cString: strerror(errno))
        }
        if !ok {
            unlink(tmp)
            throw Failure(path: path, reason: reason)
        }
    }
}
