#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which file a name leads to, links followed: its device and inode. Two names with the same
/// identity are one file (named twice, through a link, or as a folder and a file in it).
public struct FileIdentity: Hashable, Sendable {
    public let device: UInt64
    public let inode: UInt64

    /// The identity of the file `path` leads to, or nil when it cannot be found.
    public init?(path: String) {
        var st = stat()
        guard PathName.stat(path, &st) == 0 else { return nil }
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
    }
}
