import Foundation
import Testing
@testable import TriplineEngine
import TriplineCore
import TriplineTestSupport

/// Following files as tail -F does: every line once, in order, through rotation and truncation.
@Suite struct FileFollowerTests {
    static func line(_ i: Int) -> String {
        "2026-03-02T10:00:\(String(format: "%02d", i % 60)).000000+00:00 h sshd[\(i)]: Invalid user u\(i) from 192.0.2.\(i % 250 + 1) port \(1000 + i)\n"
    }

    func dir() throws -> URL {
        let d = TestFolders.url("follow")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }

    func append(_ url: URL, _ text: String) throws {
        if !FileManager.default.fileExists(atPath: url.path) { FileManager.default.createFile(atPath: url.path, contents: nil) }
        let h = try FileHandle(forWritingTo: url)
        try h.seekToEnd()
        try h.write(contentsOf: Data(text.utf8))
        try h.close()
    }

    func users(_ f: FileFollower) -> [String] {
        var out: [String] = []
        f.poll { out.append($0.user ?? "?") }
        return out
    }

    @Test func partialLinesWaitUntilComplete() throws {
        let d = try dir()
        let log = d.appendingPathComponent("auth.log")
        try append(log, Self.line(1))
        let f = FileFollower(patterns: [log.path], fromStart: true, options: ParseOptions(timeZone: TimeZone(identifier: "UTC")!))
        #expect(users(f) == ["u1"])
        let l2 = Self.line(2)
        try append(log, String(l2.prefix(30)))
        #expect(users(f) == [])
        try append(log, String(l2.dropFirst(30)))
        #expect(users(f) == ["u2"])
        #expect(users(f) == [])
    }

    @Test func renameAndRecreateRotationLosesAndDoublesNothing() throws {
        let d = try dir()
        let log = d.appendingPathComponent("auth.log")
        try append(log, Self.line(1) + Self.line(2))
        let f = FileFollower(patterns: [log.path], fromStart: true, options: ParseOptions(timeZone: TimeZone(identifier: "UTC")!))
        #expect(users(f) == ["u1", "u2"])
        try append(log, Self.line(3))                 // written before rotation, not read yet
        try FileManager.default.moveItem(at: log, to: d.appendingPathComponent("auth.log.1"))
        try append(log, Self.line(4))                 // the new file
        #expect(users(f) == ["u3", "u4"])
        try append(log, Self.line(5))
        #expect(users(f) == ["u5"])
    }

    @Test func copytruncateAndTruncation() throws {
        let d = try dir()
        let log = d.appendingPathComponent("auth.log")
        try append(log, Self.line(1) + Self.line(2) + Self.line(3))
        let f = FileFollower(patterns: [log.path], fromStart: true, options: ParseOptions(timeZone: TimeZone(identifier: "UTC")!))
        #expect(users(f).count == 3)
        // copytruncate: the file is emptied in place, then written again.
        let h = try FileHandle(forWritingTo: log)
        try h.truncate(atOffset: 0)
        try h.close()
        try append(log, Self.line(4))
        #expect(users(f) == ["u4"])
    }

    /// `/var/log/remote/*/auth.log` on a central syslog server: lines written without a host
    /// take their host folder's name; lines that name one keep it.
    @Test func hostFoldersNameTheHostsOfLinesWithoutOne() throws {
        let d = try dir()
        for host in ["web-01", "db-02"] {
            try FileManager.default.createDirectory(at: d.appendingPathComponent(host), withIntermediateDirectories: true)
            try append(d.appendingPathComponent("\(host)/auth.log"),
                       "2026-03-02T10:00:00+00:00 sshd[1]: Invalid user u-\(host) from 192.0.2.1 port 1\n" + Self.line(7))
        }
        let f = FileFollower(patterns: [d.path + "/*/auth.log"], fromStart: true, options: ParseOptions(timeZone: TimeZone(identifier: "UTC")!))
        var seen: [String] = []
        _ = f.poll { seen.append("\($0.user ?? "?")@\($0.host ?? "-")") }
        #expect(seen.sorted() == ["u-db-02@db-02", "u-web-01@web-01", "u7@h", "u7@h"])
    }

    @Test func waitsForMissingFilesAndPicksUpNewGlobMatches() throws {
        let d = try dir()
        let later = d.appendingPathComponent("later.log")
        let f = FileFollower(patterns: [later.path, d.appendingPathComponent("app-*.log").path], fromStart: false,
                             options: ParseOptions(timeZone: TimeZone(identifier: "UTC")!))
        #expect(users(f) == [])
        try append(later, Self.line(1))
        #expect(users(f) == ["u1"])
        // A new file matching the glob is read from its start (after the next glob scan).
        try append(d.appendingPathComponent("app-1.log"), Self.line(2))
        var seen: [String] = []
        let deadline = Date().addingTimeInterval(20)
        while seen.isEmpty, Date() < deadline {
            seen += users(f)
            if seen.isEmpty { usleep(20_000) }
        }
        #expect(seen == ["u2"])
    }

    @Test func startsFromTheEndWithSomeHistoryAndRightLineNumbers() throws {
        let d = try dir()
        let log = d.appendingPathComponent("auth.log")
        var text = ""
        for i in 1...2000 { text += Self.line(i) }
        try append(log, text)
        let f = FileFollower(patterns: [log.path], fromStart: false, historyBytes: 1000, options: ParseOptions(timeZone: TimeZone(identifier: "UTC")!))
        var events: [LogEvent] = []
        f.poll { events.append($0) }
        #expect(!events.isEmpty && events.count < 20)
        #expect(events.last?.user == "u2000")
        #expect(events.last?.line == 2000)
        try append(log, Self.line(2001))
        var next: [LogEvent] = []
        f.poll { next.append($0) }
        #expect(next.map(\.line) == [2001])
    }

    @Test func manyRotationsUnderLoadKeepEveryLine() throws {
        let d = try dir()
        let log = d.appendingPathComponent("auth.log")
        try append(log, "")
        let f = FileFollower(patterns: [log.path], fromStart: true, options: ParseOptions(timeZone: TimeZone(identifier: "UTC")!))
        var seen: [String] = []
        var n = 0
        for round in 0..<5 {
            for _ in 0..<50 { n += 1; try append(log, Self.line(n)) }
            f.poll { seen.append($0.user ?? "?") }
            for _ in 0..<20 { n += 1; try append(log, Self.line(n)) }
            try FileManager.default.moveItem(at: log, to: d.appendingPathComponent("auth.log.\(round)"))
            try append(log, "")
        }
        f.poll { seen.append($0.user ?? "?") }
        #expect(seen == (1...n).map { "u\($0)" })
    }

    /// gzip's output for `text`, made by the real tool.
    func gzip(_ text: String, to url: URL) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "gzip -c > '\(url.path)'"]
        let pipe = Pipe()
        p.standardInput = pipe
        try p.run()
        pipe.fileHandleForWriting.write(Data(text.utf8))
        try pipe.fileHandleForWriting.close()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
    }

    func setModified(_ url: URL, _ secondsAgo: Double) throws {
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-secondsAgo)], ofItemAtPath: url.path)
    }

    /// `tripline dashboard 'auth.log*' --from-start` on a logrotate folder: the compressed
    /// history first, oldest first, then the live file; a file compressed by a later rotation
    /// is not read again.
    @Test func rotatedHistoryIsReadOldestFirstAndCompressedFilesNeverTwice() throws {
        let d = try dir()
        let log = d.appendingPathComponent("auth.log")
        try gzip((0..<3).map { Self.line($0) }.joined(), to: d.appendingPathComponent("auth.log.3.gz"))
        try gzip((3..<6).map { Self.line($0) }.joined(), to: d.appendingPathComponent("auth.log.2.gz"))
        try append(d.appendingPathComponent("auth.log.1"), (6..<9).map { Self.line($0) }.joined())
        try append(log, (9..<12).map { Self.line($0) }.joined())
        try setModified(d.appendingPathComponent("auth.log.3.gz"), 300)
        try setModified(d.appendingPathComponent("auth.log.2.gz"), 200)
        try setModified(d.appendingPathComponent("auth.log.1"), 100)
        let f = FileFollower(patterns: [d.path + "/auth.log*"], fromStart: true, options: ParseOptions(timeZone: TimeZone(identifier: "UTC")!))
        var seen: [String] = []
        for _ in 0..<5 { seen += users(f) }
        #expect(seen == (0..<12).map { "u\($0)" })
        // The next rotation: auth.log.1 compressed to a new auth.log.2.gz (new identity, old
        // lines), auth.log renamed to auth.log.1, a new auth.log.
        try FileManager.default.removeItem(at: d.appendingPathComponent("auth.log.3.gz"))
        try FileManager.default.moveItem(at: d.appendingPathComponent("auth.log.2.gz"), to: d.appendingPathComponent("auth.log.3.gz"))
        try gzip((6..<9).map { Self.line($0) }.joined(), to: d.appendingPathComponent("auth.log.2.gz"))
        try FileManager.default.removeItem(at: d.appendingPathComponent("auth.log.1"))
        try append(log, Self.line(12))
        try FileManager.default.moveItem(at: log, to: d.appendingPathComponent("auth.log.1"))
        try append(log, Self.line(13))
        f.globInterval = 0
        var after: [String] = []
        for _ in 0..<3 { after += users(f) }
        #expect(after == ["u12", "u13"])
    }

    /// A damaged compressed file is named in the follower's summary; the others are read.
    @Test func aDamagedCompressedFileIsNamedAndTheRestRead() throws {
        let d = try dir()
        try Data([0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xFF, 0xFF, 0xFF]).write(to: d.appendingPathComponent("auth.log.2.gz"))
        try setModified(d.appendingPathComponent("auth.log.2.gz"), 100)
        try append(d.appendingPathComponent("auth.log"), Self.line(1))
        let f = FileFollower(patterns: [d.path + "/auth.log*"], fromStart: true, options: ParseOptions(timeZone: TimeZone(identifier: "UTC")!))
        var seen: [String] = []
        for _ in 0..<3 { seen += users(f) }
        #expect(seen == ["u1"])
        #expect(f.problems.contains { $0.file.hasSuffix("auth.log.2.gz") && $0.reason.contains("gzip") }, "\(f.problems)")
    }

    /// A journal named to the dashboard (a file here; the system's with `--journal`): some
    /// history at the start, then each entry as it is written, once.
    @Test func followsAJournalAsItIsWritten() throws {
        let d = try dir()
        let path = d.appendingPathComponent("system.journal").path
        func entry(_ i: Int) -> JournalFixture.Entry {
            JournalFixture.Entry(time: JournalFixture.t0 + Int64(i) * 1_000_000, host: "web-01", program: "sshd", pid: 100 + i, facility: 4,
                                 message: "Invalid user u\(i) from 192.0.2.\(i % 250 + 1) port \(1000 + i)")
        }
        guard try JournalFixture.write((0..<10).map(entry), at: path) else { return }
        let f = FileFollower(patterns: [path], fromStart: false, journalHistory: 3, options: ParseOptions(timeZone: TimeZone(identifier: "UTC")!))
        #expect(users(f) == ["u7", "u8", "u9"])
        #expect(users(f) == [])
        #expect(try JournalFixture.write((10..<12).map(entry), at: path))
        #expect(users(f) == ["u10", "u11"])
        #expect(users(f) == [])
        #expect(f.problems.isEmpty)
    }
}
