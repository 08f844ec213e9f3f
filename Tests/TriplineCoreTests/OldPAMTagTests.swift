import Foundation
import Testing
@testable import TriplineCore

/// Older syslogs (Red Hat's, loghub's Linux sample) tag PAM's lines `sshd(pam_unix)[pid]` and
/// drop the `pam_unix(sshd:auth): ` prefix: the failures must still count.
@Suite struct OldPAMTagTests {
    static let scan = (0..<6).map { i in
        """
        Jun 14 15:16:0\(i) combo sshd(pam_unix)[\(19937 + i)]: check pass; user unknown
        Jun 14 15:16:0\(i) combo sshd(pam_unix)[\(19937 + i)]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=218.188.2.4 
        """
    }.joined(separator: "\n")

    @Test func bareFailuresAreFailuresAndCountOncePerConnection() throws {
        var events: [LogEvent] = []
        _ = LogReader(options: ParseOptions(year: 2005)).read(bytes: Array(Self.scan.utf8), name: "messages") { events.append($0) }
        #expect(events.filter { $0.action == "pam_auth_failure" && $0.sourceIP == "218.188.2.4" && $0.outcome == .failure }.count == 6)
        #expect(events.filter { $0.action == "pam_user_unknown" }.count == 6)
        let a = Analysis.run(paths: [try temporaryFile(Self.scan)], reader: LogReader(options: ParseOptions(year: 2005)), model: nil)
        let bf = a.anomalies.filter { $0.kind == .bruteForce || $0.kind == .userEnumeration }
        #expect(bf.count == 1 && bf.first?.sourceIP == "218.188.2.4", "\(a.anomalies.map { "\($0.kind) \($0.sourceIP ?? "-")" })")
        #expect(bf.first?.eventCount ?? 0 >= 6)
    }

    @Test func bareSummariesAndSessions() {
        let more = syslogEvent("Nov 11 22:46:29 localhost sshd(pam_unix)[15794]: 2 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=10.0.3.1  user=root")
        #expect(more?.action == "pam_more_failures" && more?.user == "root" && more?.sourceIP == "10.0.3.1")
        let closed = syslogEvent("Mar  1 00:00:00 h sshd(pam_unix)[15794]: session closed for user news")
        #expect(closed?.eventType == .sessionClose && closed?.user == "news")
        let console = syslogEvent("Jul  1 09:00:55 combo login(pam_unix)[2191]: session opened for user root by LOGIN(uid=0)")
        #expect(console?.user == "root" && console?.targetUser == nil, "LOGIN is login(1), not an account")
        let other = syslogEvent("Jun 14 15:16:01 combo sshd[1]: authentication failures are logged elsewhere")
        #expect(other?.eventType == .other)
    }
}
