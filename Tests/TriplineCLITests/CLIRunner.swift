import Foundation
import TriplineTestSupport

/// Runs the built `tripline` binary, as a user would.
enum CLIRunner {
    static let projectRoot: URL = {
        var u = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { u.deleteLastPathComponent() }
        return u
    }()

    /// The debug binary `swift build` / `swift test` made.
    static let binary: URL = {
        let candidates = [".build/debug/tripline", ".build/x86_64-unknown-linux-gnu/debug/tripline", ".build/aarch64-unknown-linux-gnu/debug/tripline"]
        for c in candidates {
            let u = projectRoot.appendingPathComponent(c)
            if FileManager.default.isExecutableFile(atPath: u.path) { return u }
        }
        return projectRoot.appendingPathComponent(candidates[0])
    }()

    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static func run(_ args: [String], stdin: String? = nil, cwd: URL? = nil, environment: [String: String]? = nil) throws -> Result {
        var env = environment ?? ProcessInfo.processInfo.environment
        env["TZ"] = env["TZ"] ?? "UTC"
        let r = try ChildProcess.run(binary.path, args, environment: env, cwd: cwd ?? projectRoot, stdin: stdin.map { Data($0.utf8) })
        return Result(status: r.status, stdout: String(decoding: r.stdout, as: UTF8.self), stderr: String(decoding: r.stderr, as: UTF8.self))
    }

    static func tempDir() throws -> URL {
        let d = TestFolders.url("tripline-cli")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }
}
