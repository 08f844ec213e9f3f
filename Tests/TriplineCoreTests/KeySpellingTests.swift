import Foundation
import Testing
@testable import TriplineCore

/// Structured logs from other tools name the same fields in other cases and separators
/// (`sourceIp`, `Source-IP`, `SOURCE_IP`), flatten ECS into dotted column names (Kibana's CSV
/// export: `user.name`, `source.ip`, `event.outcome`), or use their own words (`src_addr`,
/// `TimeGenerated`). They are read as the fields they are; exact spellings still win.
@Suite struct KeySpellingTests {
    @Test func camelCaseAndShoutedKeys() throws {
        let path = try temporaryFile("""
        {"eventTime": "2026-01-15T10:00:00Z", "userName": "alice", "sourceIp": "203.0.113.5", "eventType": "login", "Outcome": "failure", "hostName": "web-01"}
        {"TIMESTAMP": "2026-01-15T10:00:01Z", "USER": "bob", "SRC_ADDR": "203.0.113.6", "EVENT_TYPE": "login", "ACTION": "success", "Auth-Method": "password"}
        """, name: "camel.ndjson")
        let (events, summary) = readAll(path)
        #expect(summary.formats[path] == .ndjson && events.count == 2)
        #expect(events[0].user == "alice" && events[0].sourceIP == "203.0.113.5" && events[0].eventType == .login)
        #expect(events[0].outcome == .failure && events[0].host == "web-01")
        #expect(events[1].user == "bob" && events[1].sourceIP == "203.0.113.6" && events[1].outcome == .success && events[1].authMethod == "password")
    }

    @Test func kibanaFlattenedECSColumns() throws {
        let path = try temporaryFile("""
        @timestamp,user.name,source.ip,host.name,event.category,event.action,event.outcome,message
        "Jan 15, 2026 @ 09:59:58.500",root,198.51.100.9,bastion,authentication,ssh_login,failure,Failed password
        2026-01-15T10:00:00.000Z,root,198.51.100.9,bastion,authentication,ssh_login,failure,Failed password
        2026-01-15T10:00:02.000Z,root,198.51.100.9,bastion,authentication,ssh_login,success,Accepted password
        """, name: "kibana.csv")
        let (events, summary) = readAll(path)
        #expect(summary.formats[path] == .csv)
        #expect(events.count == 3, "\(summary.skipped)")
        #expect(events.first?.timestamp.iso8601 == "2026-01-15T09:59:58.500Z", "Kibana's own date format")
        #expect(events.allSatisfy { $0.user == "root" && $0.sourceIP == "198.51.100.9" && $0.host == "bastion" && $0.eventType == .login })
        #expect(events.map(\.outcome) == [.failure, .failure, .success])
    }

    @Test func otherToolsWordsAndTheirTimeColumns() throws {
        let path = try temporaryFile("""
        TimeGenerated,Account_Name,Client_Address,Computer,Activity,Status
        2026-01-15T10:00:00Z,carol,192.0.2.10,dc-01,logon,failed
        """, name: "siem.csv")
        let (events, summary) = readAll(path)
        #expect(summary.formats[path] == .csv, "a CSV whose time column is TimeGenerated is still CSV")
        #expect(events.count == 1 && events[0].user == "carol" && events[0].sourceIP == "192.0.2.10" && events[0].host == "dc-01")
        #expect(events[0].eventType == .login && events[0].outcome == .failure)
    }

    @Test func anExactSpellingWinsAndTheOtherIsKept() throws {
        let path = try temporaryFile("""
        {"timestamp": "2026-01-15T10:00:00Z", "sourceIp": "10.9.9.9", "source_ip": "203.0.113.77", "user": "dave", "event_type": "login", "action": "failed"}
        """, name: "both.ndjson")
        let (events, _) = readAll(path)
        #expect(events.count == 1 && events[0].sourceIP == "203.0.113.77")
        #expect(events[0].extra["sourceIp"] == .string("10.9.9.9"))
    }
}
