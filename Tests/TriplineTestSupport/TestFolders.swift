import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where the tests put their files: one folder per test process under the system's temporary
/// folder, removed when the process exits, so that a run of the tests leaves nothing behind (it
/// left some 150 folders and files in `/tmp` on every run).
public enum TestFolders {
    /// The test process's folder, made on first use and removed at exit.
    public static let root: URL = {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("tripline-tests-\(getpid())-\(UUID().uuidString.prefix(8))")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: TestFolders.root) }
        return url
    }()

    /// A new path in ``root``: `prefix`, a unique id, then `suffix` (made by the caller, as a
    /// folder or a file).
    public static func url(_ prefix: String, suffix: String = "") -> URL {
        root.appendingPathComponent("\(prefix)-\(UUID().uuidString)\(suffix)")
    }

    /// How many of this process's descriptors are open on files under `folder` (counted per
    /// folder: tests run alongside each other and open and close their own files).
    public static func descriptorsOpen(under folder: String) -> Int {
        let prefix = folder.hasSuffix("/") ? folder : folder + "/"
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return fds.filter { (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + $0))?.hasPrefix(prefix) == true }.count
    }

    /// ``url(_:suffix:)`` as a path.
    public static func path(_ prefix: String, suffix: String = "") -> String {
        url(prefix, suffix: suffix).path
    }
}
