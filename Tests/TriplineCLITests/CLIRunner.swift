import Foundation

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

    static func run(_ args: [String], stdin: String? = nil, cwd: URL? = nil) throws -> Result {
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        p.currentDirectoryURL = cwd ?? projectRoot
        var env = ProcessInfo.processInfo.environment
        env["TZ"] = "UTC"
        p.environment = env
        // Standard output goes to a file so that a large output can never block the child.
        let outURL = FileManager.default.temporaryDirectory.appendingPathComponent("tripline-out-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        let outHandle = try FileHandle(forWritingTo: outURL)
        defer { try? FileManager.default.removeItem(at: outURL) }
        let err = Pipe(), inp = Pipe()
        p.standardOutput = outHandle
        p.standardError = err
        p.standardInput = inp
        try p.run()
        if let stdin { inp.fileHandleForWriting.write(Data(stdin.utf8)) }
        try inp.fileHandleForWriting.close()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        try outHandle.close()
        let outData = try Data(contentsOf: outURL)
        return Result(status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
    }

    static func tempDir() throws -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("tripline-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }
}
