import Foundation
import Testing
@testable import TriplineCore

/// Structured sources name a login in many ways; an attack must not hide behind the word.
@Suite struct StructuredSynonymTests {
    @Test func loginNamesAndTheOutcomesTheyImply() {
        for name in ["authentication", "Auth", "logon", "ssh-login", "Sign In", "user_login"] {
            #expect(StructuredRecordMapper.eventType(name).0 == .login, "\(name)")
        }
        #expect(StructuredRecordMapper.eventType("failed_login") == (.login, .failure))
        #expect(StructuredRecordMapper.eventType("Authentication-Success") == (.login, .success))
        #expect(StructuredRecordMapper.eventType("logoff").0 == .logout)
        #expect(StructuredRecordMapper.eventType("sudo_command").0 == .sudo)
        #expect(StructuredRecordMapper.eventType("Sudo-Denied") == (.sudo, .failure))
        #expect(StructuredRecordMapper.eventType("switch_user").0 == .su)
        #expect(StructuredRecordMapper.eventType("file_access").0 == EventType(rawValue: "file_access"))
    }

    @Test func aBruteForceLoggedAsAuthenticationFailuresIsABruteForce() throws {
        let lines = (0..<12).map { i in
            #"{"timestamp": "2026-03-06T10:00:\#(String(format: "%02d", i))Z", "user": "admin", "source_ip": "198.51.100.23", "event_type": "authentication", "action": "failure"}"#
        }.joined(separator: "\n")
        let a = Analysis.run(paths: [try temporaryFile(lines, name: "auth.ndjson")], reader: LogReader(), model: nil)
        #expect(a.anomalies.map(\.kind) == [.bruteForce], "\(a.anomalies.map(\.kind))")
        #expect(a.anomalies.first?.sourceIP == "198.51.100.23")
    }

    @Test func refusedSudoCommandsAreAPrivilegeEscalationNotDataAccess() throws {
        let lines = (0..<3).map { i in
            #"{"timestamp": "2026-03-06T10:0\#(i):00Z", "user": "mallory", "event_type": "sudo_command", "action": "denied", "message": "user NOT in sudoers"}"#
        }.joined(separator: "\n")
        let a = Analysis.run(paths: [try temporaryFile(lines, name: "priv.ndjson")], reader: LogReader(), model: nil)
        #expect(a.anomalies.map(\.kind) == [.privilegeEscalation], "\(a.anomalies.map(\.kind))")
        #expect(a.anomalies.first?.user == "mallory")
    }
}
