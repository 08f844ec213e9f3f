import Foundation
import Testing
@testable import TriplineCore
import TriplineTestSupport

/// Several files as one timeline, read as they are merged: the same events in the same order as
/// one sorted file, whatever the number of files, in memory that does not grow with them.
@Suite struct EventMergeTests {
    static func line(_ t: Int, host: String, _ i: Int) -> String {
        String(format: "2026-03-02T%02d:%02d:%02d.000000+00:00 %@ sshd[%d]: Failed password for u%d from 192.0.2.%d port %d ssh2\n",
               t / 3600 % 24, t / 60 % 60, t % 60, host, 100 + i, i % 7, i % 250 + 1, 1000 + i)
    }

    static func folder() throws -> URL {
        let d = TestFolders.url("merge")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }

    static let reader = LogReader(options: ParseOptions(timeZone: TimeZone(identifier: "UTC")!))

    /// A central syslog folder: one file per host, every host's lines interleaved in time.
    @Test func hostFilesComeOutAsOneTimeline() throws {
        let d = try Self.folder()
        var all: [(Int, String, Int)] = []
        for (h, host) in ["web-01", "web-02", "db-01", "bastion"].enumerated() {
            var text = ""
            for k in 0..<300 {
                let t = k * 7 + h * 3
                text += Self.line(t, host: host, k)
                all.append((t, host, k))
            }
            try text.write(to: d.appendingPathComponent("\(host).log"), atomically: true, encoding: .utf8)
        }
        var events: [LogEvent] = []
        let s = Self.reader.readMerged(paths: [d.path]) { events.append($0) }
        #expect(events.count == 1200 && s.events == 1200 && s.files.count == 4)
        #expect(zip(events, events.dropFirst()).allSatisfy { $0.timestamp <= $1.timestamp })
        let expected = all.sorted { $0.0 < $1.0 }.map { "\($0.1)/\($0.2)" }
        #expect(events.map { "\($0.host ?? "")/\(($0.sourcePort ?? 0) - 1000)" } == expected)
    }

    /// Ten years of rotated files: every line once, in order, with few files open at a time.
    @Test func manyFilesOneAfterAnotherKeepFewOpen() throws {
        let d = try Self.folder()
        let files = 300
        for f in 0..<files {
            let text = (0..<20).map { Self.line(f * 20 + $0, host: "h", f * 20 + $0) }.joined()
            // Names that sort the wrong way round (auth.log.299 is the oldest).
            try text.write(to: d.appendingPathComponent("auth.log.\(files - 1 - f)"), atomically: true, encoding: .utf8)
        }
        // Descriptors open on this test's files (not the whole process's: other tests run
        // alongside and open and close their own).
        func openFiles() -> Int { TestFolders.descriptorsOpen(under: d.path) }
        let before = openFiles()
        #expect(before == 0)
        var most = 0
        var times: [Timestamp] = []
        let s = Self.reader.readMerged(paths: [d.path]) { e in
            times.append(e.timestamp)
            if times.count % 50 == 0 { most = max(most, openFiles() - before) }
        }
        #expect(times.count == files * 20 && s.files.count == files)
        #expect(zip(times, times.dropFirst()).allSatisfy { $0 <= $1 })
        #expect(most >= 1 && most <= EventMerge.maxKeptOpen + 2, "files open at once: \(most)")
        #expect(openFiles() <= before, "every file closed after")
    }

    /// Unreadable, binary and empty files among the rest are reported, never stop the merge.
    @Test func badFilesAmongThemAreReported() throws {
        let d = try Self.folder()
        try Self.line(5, host: "a", 1).write(to: d.appendingPathComponent("a.log"), atomically: true, encoding: .utf8)
        try Data([0, 1, 2, 0xFF, 0]).write(to: d.appendingPathComponent("b.bin"))
        try Data().write(to: d.appendingPathComponent("c.log"))
        try Self.line(1, host: "d", 2).write(to: d.appendingPathComponent("d.log"), atomically: true, encoding: .utf8)
        var hosts: [String] = []
        let s = Self.reader.readMerged(paths: [d.path, d.appendingPathComponent("missing.log").path]) { hosts.append($0.host ?? "") }
        #expect(hosts == ["d", "a"])
        #expect(s.passedOver.map(\.file).contains { $0.hasSuffix("b.bin") })
        #expect(s.unreadable.map(\.file).contains { $0.hasSuffix("missing.log") })
    }
}
