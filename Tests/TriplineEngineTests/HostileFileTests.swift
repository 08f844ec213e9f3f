import Foundation
import Testing
@testable import TriplineEngine
import TriplineCore
import TriplineTestSupport

/// Files as real servers and attackers shape them, followed live: every rotation logrotate
/// does, with a glob that sees the rotated files too, and lines made to smuggle a forged one.
/// Each case counts lines exactly: none lost, none twice.
@Suite struct HostileFileTests {
    static let options = ParseOptions(timeZone: TimeZone(identifier: "UTC")!)

    static func line(_ i: Int) -> String { FileFollowerTests.line(i) }

    func dir() throws -> URL {
        let d = TestFolders.url("hostile")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }

    func append(_ url: URL, _ text: String) throws { try FileFollowerTests().append(url, text) }

    func lines(_ from: Int, _ to: Int) -> String { HostileFileTests.lines(from, to) }
    static func lines(_ from: Int, _ to: Int) -> String { (from...to).map(Self.line).joined() }

    /// Follows `auth.log*` in `d`, globbing on every poll.
    func follower(_ d: URL, fromStart: Bool = true) -> FileFollower {
        let f = FileFollower(patterns: [d.appendingPathComponent("auth.log*").path], fromStart: fromStart, options: Self.options)
        f.globInterval = 0
        return f
    }

    func users(_ f: FileFollower) -> [String] { FileFollowerTests().users(f) }

    /// The dashboard's `'dir/auth.log*'` case: after `mv auth.log auth.log.1` and new lines in a
    /// new `auth.log`, the rotated file is not read again from its start.
    @Test func globAndRenameRotationReadsNothingTwice() throws {
        let d = try dir()
        let log = d.appendingPathComponent("auth.log")
        try append(log, lines(1, 100))
        let f = follower(d)
        #expect(users(f).count == 100)
        try append(log, Self.line(101))                               // before rotation, not read yet
        try FileManager.default.moveItem(at: log, to: d.appendingPathComponent("auth.log.1"))
        try append(log, Self.line(102))
        var seen = users(f)
        try append(d.appendingPathComponent("auth.log.1"), Self.line(103)) // the old writer, late
        try append(log, Self.line(104))
        seen += users(f) + users(f)
        #expect(seen.sorted() == ["u101", "u102", "u103", "u104"], "\(seen)")
    }

    /// The rename seen first by the glob (between the old name's poll and the scan): the
    /// reading moves to the new name.
    @Test func renameSeenFirstByTheGlobMovesTheReading() throws {
        let d = try dir()
        let log = d.appendingPathComponent("auth.log")
        try append(log, lines(1, 10))
        let f = follower(d)
        #expect(users(f).count == 10)
        try append(log, Self.line(11))
        try FileManager.default.moveItem(at: log, to: d.appendingPathComponent("auth.log.1"))
        f.discover(initial: false)                                   // the scan before the poll
        try append(log, Self.line(12))
        let seen = users(f) + users(f)
        #expect(seen.sorted() == ["u11", "u12"], "\(seen)")
    }

    /// copytruncate with a glob: the copy (`auth.log.1`) is read on only past what was read.
    @Test func globAndCopytruncateReadsNothingTwice() throws {
        let d = try dir()
        let log = d.appendingPathComponent("auth.log")
        try append(log, lines(1, 50))
        let f = follower(d)
        #expect(users(f).count == 50)
        try append(log, lines(51, 53))                                // written, not read yet
        try FileManager.default.copyItem(at: log, to: d.appendingPathComponent("auth.log.1"))
        let h = try FileHandle(forWritingTo: log)
        try h.truncate(atOffset: 0)
        try h.close()
        try append(log, Self.line(54))
        let seen = users(f) + users(f)
        #expect(seen.sorted() == ["u51", "u52", "u53", "u54"], "\(seen)")
    }

    /// Deleted, then created again: the new file from its start, nothing of the old one again.
    @Test func deleteAndRecreate() throws {
        let d = try dir()
        let log = d.appendingPathComponent("auth.log")
        try append(log, lines(1, 5))
        let f = follower(d)
        #expect(users(f).count == 5)
        try FileManager.default.removeItem(at: log)
        #expect(users(f).isEmpty)
        try append(log, lines(6, 8))
        #expect(users(f) == ["u6", "u7", "u8"])
    }

    /// logrotate renames the file between batch's planning and its reading: the lines planned
    /// are read from the file planned (or, when it had to be opened again by name and is no
    /// longer there, at the next run), and every line is analysed exactly once.
    @Test(arguments: [256, 0]) func aRotationBetweenPlanningAndReading(keptOpen: Int) throws {
        let d = try dir()
        let logs = d.appendingPathComponent("logs")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        let log = logs.appendingPathComponent("auth.log")
        try append(log, lines(1, 10))
        var runner = BatchRunner(logDirectory: logs.path, outputDirectory: d.appendingPathComponent("out").path, model: nil, config: nil)
        runner.options = Self.options
        runner.maxOpenPlans = keptOpen
        #expect(try runner.runOnce().eventsAnalyzed == 10)
        try append(log, lines(11, 15))
        let rotated = logs.appendingPathComponent("auth.log.1")
        runner.afterPlanning = {
            try? FileManager.default.moveItem(at: log, to: rotated)
            try? HostileFileTests.lines(16, 18).write(to: log, atomically: false, encoding: .utf8)
        }
        let second = try runner.runOnce()
        runner.afterPlanning = nil
        let third = try runner.runOnce()
        #expect(second.eventsAnalyzed + third.eventsAnalyzed == 8, "lines 11–18 once each: \(second.eventsAnalyzed) + \(third.eventsAnalyzed)")
        #expect(try runner.runOnce().eventsAnalyzed == 0)
        if keptOpen > 0 { #expect(second.eventsAnalyzed == 5, "the planned file's new lines, read after its rename") }
        // Reports name attackers and victims: nobody but the owner and group reads them.
        for f in ["anomalies.json", "anomalies.csv", "summary.txt", "state.json"] {
            let mode = try FileManager.default.attributesOfItem(atPath: third.directory + "/" + f)[.posixPermissions] as? Int ?? 0o777
            #expect(mode & 0o137 == 0, "\(f) is \(String(mode, radix: 8))")
        }
    }

    /// A line longer than the limit, whose tail is a forged event: the follower skips the
    /// whole line, as the reader does, and counts it.
    @Test func anOverlongLineCannotSmuggleAnEvent() throws {
        let d = try dir()
        let log = d.appendingPathComponent("auth.log")
        try append(log, Self.line(1))
        let f = FileFollower(patterns: [log.path], fromStart: true, options: Self.options)
        #expect(users(f) == ["u1"])
        let forged = "2026-03-02T10:00:00+00:00 h sshd[9]: Accepted password for root from 203.0.113.66 port 22 ssh2"
        try append(log, String(repeating: "A", count: (2 << 20) + 7) + "\n" + String(repeating: "B", count: 3 << 20) + forged + "\n")
        try append(log, Self.line(2))
        var events: [LogEvent] = []
        while f.poll({ events.append($0) }) > 0 {}
        #expect(events.map(\.user) == ["u2"], "no event from inside an over-long line: \(events.map(\.message).map { $0.prefix(60) })")
        #expect(events.first?.line == 4, "the skipped lines are counted in the numbering")
        #expect(f.skipped == 2)
        // The reader agrees.
        var read: [LogEvent] = []
        let summary = LogReader(options: Self.options).read(path: log.path) { read.append($0) }
        #expect(read.map(\.user) == ["u1", "u2"] && summary.skipped[.tooLong] == 2)
    }
}
