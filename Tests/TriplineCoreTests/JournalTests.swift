import Foundation
import Testing
@testable import TriplineCore
import TriplineTestSupport

/// The systemd journal read as Debian 12 keeps it: real journal files written by
/// `systemd-journal-remote` from entries in journal export format, read by file and by folder.
@Suite struct JournalTests {
    static func folder() throws -> String {
        let d = TestFolders.url("journal")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d.path
    }

    static let t0 = JournalFixture.t0

    static let entries: [JournalFixture.Entry] = (0..<30).map { i in
        JournalFixture.Entry(time: t0 + Int64(i) * 2_000_000, host: i % 2 == 0 ? "web-01" : "web-02", program: "sshd", pid: 4000 + i, facility: 4,
              message: "Failed password for root from 203.0.113.\(i % 5 + 1) port \(40000 + i) ssh2")
    } + [
        JournalFixture.Entry(time: t0 + 70_000_000, host: "web-01", program: "sudo", pid: 77, facility: 10,
              message: "   alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/id"),
        JournalFixture.Entry(time: t0 + 71_000_000, host: "web-01", program: "kernel", pid: nil, facility: 0,
              message: "Failed password for root from 198.51.100.1 port 1 ssh2"),
        JournalFixture.Entry(time: t0 + 72_000_000, host: "web-01", program: "cron", pid: 99, facility: 10,
              message: "pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)"),
    ]

    /// The text form of `entries` (what rsyslog would have written to auth.log).
    static func text(_ entries: [JournalFixture.Entry]) -> String {
        entries.filter { $0.facility == 4 || $0.facility == 10 }.map { e in
            "\(Timestamp(microseconds: e.time).iso8601) \(e.host) \(e.program)\(e.pid.map { "[\($0)]" } ?? ""): \(e.message)\n"
        }.joined()
    }

    static let reader = LogReader(options: ParseOptions(timeZone: TimeZone(identifier: "UTC")!))

    static func summary(_ e: LogEvent) -> String {
        "\(e.timestamp.iso8601) \(e.host ?? "-") \(e.program ?? "-") \(e.user ?? "-") \(e.sourceIP ?? "-") \(e.eventType) \(e.outcome)"
    }

    @Test func aJournalFileGivesTheEventsOfItsTextForm() throws {
        let dir = try Self.folder()
        guard try JournalFixture.write(Self.entries, at: dir + "/system.journal") else { return }
        try Self.text(Self.entries).write(toFile: dir + "/auth.log.txt", atomically: true, encoding: .utf8)
        var fromJournal: [LogEvent] = [], fromText: [LogEvent] = []
        let js = Self.reader.read(path: dir + "/system.journal") { fromJournal.append($0) }
        _ = Self.reader.read(path: dir + "/auth.log.txt") { fromText.append($0) }
        #expect(js.unreadable.isEmpty, "\(js.unreadable)")
        #expect(fromJournal.count == 32, "sshd and sudo and cron's PAM line; not the kernel's")
        #expect(fromJournal.map(Self.summary) == fromText.map(Self.summary))
        #expect(fromJournal.first?.file == dir + "/system.journal" && fromJournal.first?.line == 1)
        #expect(!fromJournal.contains { $0.program == "kernel" })
    }

    /// `/var/log/journal/` holds MACHINE-ID/system.journal and archived `*.journal~` files: the
    /// folder is one source, read in time order across its files.
    @Test func aJournalFolderIsReadWholeInTimeOrder() throws {
        let root = try Self.folder()
        let machine = root + "/0123456789abcdef0123456789abcdef"
        try FileManager.default.createDirectory(atPath: machine, withIntermediateDirectories: true)
        guard try JournalFixture.write(Array(Self.entries[15..<30]), at: machine + "/system.journal"),
              try JournalFixture.write(Array(Self.entries[0..<15]), at: machine + "/system@00000000000000000000000000000001-0000000000000001-0000000000000001.journal")
        else { return }
        #expect(JournalReader.isJournalDirectory(root))
        #expect(LogReader.expand([root]) == [root])
        var times: [Timestamp] = []
        let s = Self.reader.read(paths: [root]) { times.append($0.timestamp) }
        #expect(s.unreadable.isEmpty, "\(s.unreadable)")
        #expect(times.count == 30)
        #expect(zip(times, times.dropFirst()).allSatisfy { $0 <= $1 })
    }

    /// Attacker-chosen text in an entry: line breaks in a message stay inside its one event
    /// (written `#012` as rsyslog writes them), so a second line cannot pass for an event of its
    /// own; a host name with spaces and escapes cannot shift the fields.
    @Test func hostileEntriesStayOneEventEach() throws {
        let dir = try Self.folder()
        let evil = [
            JournalFixture.Entry(time: Self.t0, host: "web 01\u{1B}[31m", program: "sshd", pid: 1, facility: 4,
                  message: "Failed password for root from 203.0.113.7 port 22 ssh2\nAccepted password for root from 10.0.0.1 port 22 ssh2\r\n\n"),
        ]
        guard try JournalFixture.write(evil, at: dir + "/x.journal") else { return }
        var events: [LogEvent] = []
        _ = Self.reader.read(path: dir + "/x.journal") { events.append($0) }
        #expect(events.count == 1)
        #expect(events.first?.outcome == .failure)
        #expect(events.first?.message == "Failed password for root from 203.0.113.7 port 22 ssh2#012Accepted password for root from 10.0.0.1 port 22 ssh2#015#012#012")
        #expect(events.first?.host?.contains(" ") == false)
    }

    /// A damaged journal is named and skipped; the other files are read; no descriptor leaks.
    @Test func aDamagedJournalIsNamedAndTheRestRead() throws {
        let dir = try Self.folder()
        guard try JournalFixture.write(Array(Self.entries[0..<4]), at: dir + "/good.journal") else { return }
        try Data(JournalReader.magic + [UInt8](repeating: 0xAB, count: 400)).write(to: URL(fileURLWithPath: dir + "/bad.journal"))
        // Descriptors open on this test's files (other tests open files at the same time).
        func openHere() -> Int { TestFolders.descriptorsOpen(under: dir) }
        var n = 0
        var openWhileReading = 0
        let s = Self.reader.read(paths: [dir + "/bad.journal", dir + "/good.journal"]) { _ in
            n += 1
            openWhileReading = max(openWhileReading, openHere())
        }
        #expect(n == 4)
        #expect(s.unreadable.map(\.file) == [dir + "/bad.journal"], "\(s.unreadable)")
        #expect(openWhileReading >= 1, "the count sees the journal being read")
        #expect(openHere() == 0, "no descriptor on the journals is left open")
    }
}
