#if canImport(Glibc)
import Glibc
#endif

/// Reads a whole (small) file with `read(2)`, up to a limit: models and other files Tripline
/// loads whole. (Foundation's `Data(contentsOf:)` leaks its buffer on an empty file, which the
/// model loader's fuzzing found.)
public enum FileBytes {
    /// Why a file could not be read.
    public enum Failure: Error, Sendable {
        case unreadable(String)
        case tooLarge(limit: Int)
    }

    /// The bytes of the file at `path`, refusing files over `limit` bytes.
    public static func read(_ path: String, limit: Int) throws(Failure) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw .unreadable(String(cString: strerror(errno))) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw .unreadable(String(cString: strerror(errno))) }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw .unreadable("not a regular file") }
        guard Int(st.st_size) <= limit else { throw .tooLarge(limit: limit) }
        var out: [UInt8] = []
        out.reserveCapacity(Int(st.st_size))
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            if n < 0 { throw .unreadable(String(cString: strerror(errno))) }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<n])
            if out.count > limit { throw .tooLarge(limit: limit) }
        }
        return out
    }
}
