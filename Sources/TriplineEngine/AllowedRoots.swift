import Foundation

/// The folders `analyze_log_file` (and evidence lines) may read under. Paths are compared after
/// resolving symbolic links, so a link inside a root that points outside it is refused.
public struct AllowedRoots: Sendable {
    /// Resolved roots.
    public let roots: [String]

    /// Roots from paths (relative ones against the current directory); missing ones are dropped.
    public init(_ paths: [String]) {
        var out: [String] = []
        for p in paths where !p.isEmpty {
            if let r = AllowedRoots.resolve(p), !out.contains(r) { out.append(r) }
        }
        roots = out
    }

    /// The real path of `p` (symbolic links and `..` resolved), or nil when it does not exist.
    static func resolve(_ p: String) -> String? {
        let absolute = p.hasPrefix("/") ? p : FileManager.default.currentDirectoryPath + "/" + p
        guard let c = realpath(absolute, nil) else { return nil }
        defer { free(c) }
        return String(cString: c)
    }

    /// Why `path` may not be read, or nil with its real path when it may.
    public func check(_ path: String) -> Result<String, AccessError> {
        guard let real = AllowedRoots.resolve(path) else { return .failure(.missing(path)) }
        return contains(real: real) ? .success(real) : .failure(.outside(path, roots: roots))
    }

    /// Whether a real (resolved) path is one of the roots or inside one.
    public func contains(real: String) -> Bool {
        roots.contains { r in real == r || real.hasPrefix(r == "/" ? "/" : r + "/") }
    }

    /// The check a ``LogReader`` makes of each file it opens for a client (``LogReader/admit``):
    /// a regular file (never a FIFO, device or socket, which could block or never end), whose
    /// real place, read from the open descriptor after every link is followed, is under a root,
    /// and no bigger than `maxBytes`. Nil admits it; otherwise why not.
    public func admission(maxBytes: Int64) -> @Sendable (Int32) -> String? {
        let roots = self
        return { fd in
            var st = stat()
            guard fstat(fd, &st) == 0 else { return String(cString: strerror(errno)) }
            guard (st.st_mode & S_IFMT) == S_IFREG else { return "not a regular file (a FIFO, device or socket is not read)" }
            guard let real = AllowedRoots.path(of: fd), roots.contains(real: real) else {
                return "outside the folders this server may read (\(roots.roots.joined(separator: ", ")))"
            }
            if Int64(st.st_size) > maxBytes {
                return "\(Int64(st.st_size) >> 20) MiB, more than the \(maxBytes >> 20) MiB this server reads from one file"
            }
            return nil
        }
    }

    /// Where an open descriptor's file really is (Linux: `/proc/self/fd/N`), or nil.
    static func path(of fd: Int32) -> String? {
        var buf = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink("/proc/self/fd/\(fd)", &buf, buf.count - 1)
        guard n > 0 else { return nil }
        return String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// A refused path.
    public enum AccessError: Error, CustomStringConvertible, Sendable {
        case missing(String)
        case outside(String, roots: [String])

        public var description: String {
            switch self {
            case .missing(let p): return "\(p): no such file or folder"
            case .outside(let p, let roots):
                return "\(p) is outside the folders this server may read (\(roots.joined(separator: ", "))); start it with --allow FOLDER to add one"
            }
        }
    }
}
