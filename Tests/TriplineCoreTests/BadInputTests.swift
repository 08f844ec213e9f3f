import Foundation
import Testing
@testable import TriplineCore
import TriplineTestSupport

@Suite struct BadInputTests {
    let good = Array("Mar 30 15:54:19 h sshd[1]: Invalid user x from 1.2.3.4 port 5\n".utf8)

    @Test func invalidUTF8IsKeptRepairedAndCounted() throws {
        var bytes = Array("Mar 30 15:54:19 h sshd[1]: Invalid user ab".utf8) + [0xFF, 0xFE] + Array(" from 1.2.3.4 port 5\n".utf8)
        bytes += good
        let (events, summary) = readAll(try temporaryFile(bytes))
        #expect(events.count == 2)
        #expect(events[0].sourceIP == "1.2.3.4", "an invalid byte in the user name must not hide the attempt")
        #expect(events[0].user == "ab\u{FFFD}\u{FFFD}")
        #expect(summary.repairedUTF8 == 1)
    }

    @Test func nulBytesAndGarbageAreSkippedWithLocations() throws {
        let bytes = good + Array("Mar 30 15:54:19 h sshd[1]: bad\u{0}line\n".utf8) + [0x01, 0x02, 0x9F, 0x0A] + good
        let path = try temporaryFile(bytes)
        let (events, summary) = readAll(path)
        #expect(events.count == 2)
        #expect(summary.skipped[.binary] == 1)
        #expect(summary.skipped[.noSyslogHeader] == 1)
        #expect(summary.examples.contains { $0.location == "\(path):2" && $0.reason == .binary })
        #expect(summary.examples.contains { $0.location == "\(path):3" && $0.reason == .noSyslogHeader })
        #expect(summary.report().contains("\(path):2"))
    }

    @Test func overlongLinesAreSkippedAndReadingGoesOn() throws {
        var bytes = good
        bytes += Array("Mar 30 15:54:19 h sshd[1]: ".utf8) + [UInt8](repeating: 0x41, count: (1 << 20) + 10) + [0x0A]
        bytes += good
        bytes += [UInt8](repeating: 0x42, count: 3 << 20) // an over-long last line without newline
        let path = try temporaryFile(bytes)
        let (events, summary) = readAll(path)
        #expect(events.count == 2)
        #expect(events.map(\.line) == [1, 3])
        #expect(summary.skipped[.tooLong] == 2)
        #expect(summary.linesRead == 4)
    }

    @Test func emptyFilesAndMissingNewlines() throws {
        let (e0, s0) = readAll(try temporaryFile([UInt8]()))
        #expect(e0.isEmpty && s0.linesRead == 0 && s0.unreadable.isEmpty)
        var last = good
        last.removeLast()
        let (e1, s1) = readAll(try temporaryFile(good + last))
        #expect(e1.count == 2 && s1.linesRead == 2)
        #expect(e1[1].message == "Invalid user x from 1.2.3.4 port 5")
    }

    @Test func crlfLineEndings() throws {
        let text = "Mar 30 15:54:19 h sshd[1]: Invalid user x from 1.2.3.4 port 5\r\nMar 30 15:54:20 h sshd[1]: Accepted password for y from 1.2.3.5 port 6 ssh2\r\n"
        let (events, _) = readAll(try temporaryFile(text))
        #expect(events.count == 2)
        #expect(events[0].sourcePort == 5 && events[1].message.hasSuffix("ssh2"))
    }

    @Test func missingFilesAndFoldersAreReported() throws {
        let (_, s) = readAll("/nonexistent/tripline/auth.log")
        #expect(s.unreadable.count == 1)
        #expect(s.unreadable[0].reason.contains("No such file"))
        let dir = TestFolders.root.path
        let (_, d) = readAll(dir)
        #expect(d.unreadable.first?.reason == "is a directory")
    }

    @Test func aGzipHeaderWithNothingAfterIsNamedUnreadable() throws {
        let (e, s) = readAll(try temporaryFile([0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03], name: "auth.log.1.gz"))
        #expect(e.isEmpty)
        #expect(s.unreadable.first?.reason.contains("gzip: the data ends early") == true, "\(s.unreadable)")
        #expect(s.nothingRead)
    }

    @Test func malformedJSONLinesAreCountedNotFatal() throws {
        let path = try temporaryFile("""
        {"timestamp": "2026-01-15T10:00:00Z", "user": "a", "event_type": "login", "action": "success"}
        {"timestamp": "2026-01-15T10:00:00Z", "user": "b",
        [1, 2]
        {"user": "no time"}
        \(String(repeating: "[", count: 500))
        {"timestamp": "2026-01-15T10:00:01Z", "user": "c", "event_type": "login", "action": "success"}
        """, name: "x.ndjson")
        let (events, s) = readAll(path)
        #expect(events.map(\.user) == ["a", "c"])
        #expect(s.skipped[.invalidJSON] == 2)
        #expect(s.skipped[.notAnObject] == 1)
        #expect(s.skipped[.missingTimestamp] == 1)
    }

    @Test func foldersAreExpandedOneLevelAndSorted() throws {
        let a = try temporaryFile(good, name: "b.log")
        let dir = URL(fileURLWithPath: a).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try Data(good).write(to: dir.appendingPathComponent("sub/a.log"))
        try Data(good).write(to: dir.appendingPathComponent(".hidden"))
        try Data(good).write(to: dir.appendingPathComponent("a.log"))
        let files = LogReader.expand([dir.path])
        #expect(files.map { URL(fileURLWithPath: $0).lastPathComponent } == ["a.log", "b.log"])
    }
}
