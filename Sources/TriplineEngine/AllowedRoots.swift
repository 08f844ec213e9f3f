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
        for r in roots where real == r || real.hasPrefix(r == "/" ? "/" : r + "/") {
            return .success(real)
        }
        return .failure(.outside(path, roots: roots))
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
