import Foundation
import Testing
@testable import TriplineCore

/// Structured records that carry the log text rather than saying what happened: journald's
/// `journalctl -o json` and a log shipper's raw `message`. The text is read like a syslog line's.
@Suite struct StructuredMessageTests {
    /// A `journalctl -o json` record as journald writes it (strings for numbers, µs since the epoch).
    static func journald(_ micros: Int64, _ identifier: String, _ pid: Int, _ message: String) -> String {
        #"{"__CURSOR":"s=1;i=\#(micros)","__REALTIME_TIMESTAMP":"\#(micros)","__MONOTONIC_TIMESTAMP":"5","PRIORITY":"6","SYSLOG_FACILITY":"10","SYSLOG_IDENTIFIER":"\#(identifier)","_PID":"\#(pid)","_COMM":"\#(identifier)","_HOSTNAME":"bastion","_TRANSPORT":"syslog","MESSAGE":"\#(message)"}"#
    }

    @Test func journaldRecordsAreReadLikeTheirSyslogLines() throws {
        let start: Int64 = 1_772_791_200_000_000 // 2026-03-06T10:00:00Z
        var lines: [String] = []
        for i in 0..<8 {
            lines.append(Self.journald(start + Int64(i) * 4_000_000, "sshd", 900 + i, "Failed password for root from 198.51.100.77 port \(40000 + i) ssh2"))
        }
        lines.append(Self.journald(start + 40_000_000, "sudo", 990, "    alice : TTY=pts/1 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/systemctl restart nginx"))
        let path = try temporaryFile(lines.joined(separator: "\n") + "\n", name: "journal.json")
        let (events, summary) = readAll(path)
        #expect(summary.skipped.isEmpty && events.count == 9)
        let first = try #require(events.first)
        #expect(first.eventType == .login && first.outcome == .failure && first.user == "root")
        #expect(first.sourceIP == "198.51.100.77" && first.sourcePort == 40000 && first.host == "bastion" && first.pid == 900)
        #expect(first.timestamp.microseconds == start)
        let sudo = try #require(events.last)
        #expect(sudo.eventType == .sudo && sudo.user == "alice" && sudo.targetUser == "root" && sudo.command == "/usr/bin/systemctl restart nginx")

        let a = Analysis.run(paths: [path], reader: LogReader(), model: nil)
        #expect(a.anomalies.map(\.kind) == [.bruteForce], "\(a.anomalies.map(\.kind))")
        #expect(a.anomalies.first?.sourceIP == "198.51.100.77")
    }

    @Test func aShippersRawSyslogLineIsReadAndTheRecordsOwnFieldsWin() throws {
        let text = """
        {"@timestamp":"2026-03-06T10:00:00.250Z","message":"Mar  6 10:00:00 web1 sshd[77]: Failed password for invalid user admin from 203.0.113.9 port 4444 ssh2"}
        {"@timestamp":"2026-03-06T10:00:01Z","host":{"name":"web-01.example"},"user":"carol","message":"Mar  6 10:00:01 web1 sshd[78]: Accepted publickey for bob from 10.0.0.5 port 5000 ssh2"}
        {"@timestamp":"2026-03-06T10:00:02Z","message":"a note nobody can classify"}
        {"timestamp":"2026-03-06T10:00:03Z","user":"dave","event_type":"file_access","action":"read","message":"Failed password for root from 203.0.113.9 port 1 ssh2"}

        """
        let (events, summary) = readAll(try temporaryFile(text, name: "shipped.ndjson"))
        #expect(summary.skipped.isEmpty && events.count == 4)
        #expect(events[0].eventType == .login && events[0].outcome == .failure && events[0].invalidUser)
        #expect(events[0].user == "admin" && events[0].sourceIP == "203.0.113.9" && events[0].program == "sshd" && events[0].host == "web1")
        #expect(events[0].timestamp.microseconds % 1_000_000 == 250_000, "the record's own time, not the line's")
        #expect(events[1].user == "carol" && events[1].host == "web-01.example", "what the record says wins")
        #expect(events[1].outcome == .success && events[1].authMethod == "publickey" && events[1].sourceIP == "10.0.0.5")
        #expect(events[2].eventType == .other)
        #expect(events[3].eventType == EventType(rawValue: "file_access") && events[3].user == "dave" && events[3].sourceIP == nil,
                "a record that says what happened is taken at its word")
    }
}

extension StructuredMessageTests {
    /// Elastic Common Schema documents (Filebeat's system module, an ECS export) say what happened
    /// in an `event` object.
    @Test func ecsDocumentsAreReadFromTheirEventObject() throws {
        let docs = (0..<6).map { i in
            #"{"@timestamp":"2026-03-06T10:00:0\#(i)Z","event":{"category":["authentication"],"outcome":"failure","action":"ssh_login","kind":"event"},"user":{"name":"admin"},"source":{"ip":"192.0.2.44"},"host":{"name":"db1"},"process":{"name":"sshd"}}"#
        } + [#"{"@timestamp":"2026-03-06T10:01:00Z","event":{"kind":"event"},"process":{"name":"sshd","pid":5},"message":"Accepted password for admin from 192.0.2.44 port 2 ssh2"}"#]
        let (events, summary) = readAll(try temporaryFile(docs.joined(separator: "\n"), name: "ecs.ndjson"))
        #expect(summary.skipped.isEmpty && events.count == 7)
        let e = try #require(events.first)
        #expect(e.eventType == .login && e.outcome == .failure && e.user == "admin" && e.sourceIP == "192.0.2.44" && e.host == "db1")
        #expect(e.action == "ssh_login" && e.extra["event"] != nil, "the event object is kept")
        let last = try #require(events.last)
        #expect(last.eventType == .login && last.outcome == .success && last.user == "admin", "no category: the message says it")
    }
}
