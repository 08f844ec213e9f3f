import Foundation

/// Real journal files for the tests, written by `systemd-journal-remote` from entries in
/// journal export format (Debian package systemd-journal-remote).
public enum JournalFixture {
    /// The tool, when installed.
    public static let remote = ["/lib/systemd/systemd-journal-remote", "/usr/lib/systemd/systemd-journal-remote"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    /// 2026-03-02T00:00:00Z in microseconds.
    public static let t0: Int64 = 1_772_409_600_000_000

    /// One journal entry.
    public struct Entry: Sendable {
        public var time: Int64 // microseconds since 1970
        public var host: String
        public var program: String
        public var pid: Int?
        public var facility: Int
        public var message: String

        public init(time: Int64, host: String, program: String, pid: Int?, facility: Int, message: String) {
            self.time = time; self.host = host; self.program = program; self.pid = pid; self.facility = facility; self.message = message
        }
    }

    /// Writes `entries` to the journal file at `path` (appending when it exists); false, with a
    /// printed notice, when systemd-journal-remote is not installed.
    public static func write(_ entries: [Entry], at path: String) throws -> Bool {
        guard let remote else {
            print("note: systemd-journal-remote is not installed (apt-get install systemd-journal-remote); journal cases skipped")
            return false
        }
        var export = Data()
        for (i, e) in entries.enumerated() {
            // Monotonic time in step with wall time: sd-journal orders one boot's files by it.
            var fields = ["__REALTIME_TIMESTAMP=\(e.time)", "__MONOTONIC_TIMESTAMP=\(max(1, e.time - t0 + Int64(i) + 1))",
                          "_BOOT_ID=0123456789abcdef0123456789abcdef", "_HOSTNAME=\(e.host)", "SYSLOG_IDENTIFIER=\(e.program)",
                          "SYSLOG_FACILITY=\(e.facility)"]
            if let pid = e.pid { fields.append("_PID=\(pid)") }
            export.append(Data((fields.joined(separator: "\n") + "\n").utf8))
            if e.message.contains("\n") {
                // Export format's binary-safe field: name, newline, little-endian length, bytes.
                let bytes = Array(e.message.utf8)
                export.append(Data("MESSAGE\n".utf8))
                withUnsafeBytes(of: UInt64(bytes.count).littleEndian) { export.append(contentsOf: $0) }
                export.append(contentsOf: bytes)
                export.append(Data("\n\n".utf8))
            } else {
                export.append(Data("MESSAGE=\(e.message)\n\n".utf8))
            }
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: remote)
        p.arguments = ["-o", path, "-"]
        let input = Pipe()
        p.standardInput = input
        p.standardError = FileHandle.nullDevice
        try p.run()
        input.fileHandleForWriting.write(export)
        try input.fileHandleForWriting.close()
        p.waitUntilExit()
        return p.terminationStatus == 0
    }
}
