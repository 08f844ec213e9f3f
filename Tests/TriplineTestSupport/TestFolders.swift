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

    /// ``url(_:suffix:)`` as a path.
    public static func path(_ prefix: String, suffix: String = "") -> String {
        url(prefix, suffix: suffix).path
    }
}
