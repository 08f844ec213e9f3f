import Foundation
import Testing
@testable import TriplineCore

/// The older remote login services (Kerberos r-services, FTP daemons, login(1) on consoles and
/// telnet) as real syslogs write them — the klogind and ftpd lines are loghub's Linux sample's
/// shapes: their failures carry the peer's address, and a burst of them is a brute force.
@Suite struct LegacyLoginTests {
    @Test func kerberosRServiceFailuresCarryTheAddress() {
        let e = syslogEvent("Jun 30 20:53:04 combo klogind[19272]: Authentication failed from 163.27.187.39 (163.27.187.39): Permission denied in replay cache code ")
        #expect(e?.eventType == .login && e?.outcome == .failure && e?.sourceIP == "163.27.187.39" && e?.authMethod == "kerberos")
        let abort = syslogEvent("Jul  1 00:21:28 combo klogind[3078]: Authentication failed from 61.74.96.178 (61.74.96.178): Software caused connection abort ")
        #expect(abort?.outcome == .failure && abort?.sourceIP == "61.74.96.178")
        // The line after each failure is the same attempt, not a second one.
        let follow = syslogEvent("Jun 30 20:53:04 combo klogind[19272]: Kerberos authentication failed ")
        #expect(follow?.eventType == .other)
    }

    @Test func ftpConnectionsLoginsAndFailures() {
        let c = syslogEvent("Jun 17 07:07:00 combo ftpd[29504]: connection from 24.54.76.216 (24-54-76-216.bflony.adelphia.net) at Fri Jun 17 07:07:00 2005 ")
        #expect(c?.eventType == .connection && c?.sourceIP == "24.54.76.216" && c?.outcome == .unknown)
        let anon = syslogEvent("Jul 10 03:55:15 combo ftpd[13212]: ANONYMOUS FTP LOGIN FROM 84.102.20.2,  (anonymous)")
        #expect(anon?.eventType == .connection && anon?.sourceIP == "84.102.20.2" && anon?.user == nil, "no account is authenticated")
        let ok = syslogEvent("Mar  3 10:00:00 ftp ftpd[88]: FTP LOGIN FROM client.example.org [198.51.100.7], alice")
        #expect(ok?.eventType == .login && ok?.outcome == .success && ok?.user == "alice" && ok?.sourceIP == "198.51.100.7")
        let refused = syslogEvent("Mar  3 10:00:01 ftp ftpd[89]: FTP LOGIN REFUSED (username in denied-uid) FROM scan.example.net [203.0.113.9], root")
        #expect(refused?.outcome == .failure && refused?.user == "root" && refused?.sourceIP == "203.0.113.9")
        let failed = syslogEvent("Mar  3 10:00:02 ftp ftpd[90]: failed login from scan.example.net [203.0.113.9]")
        #expect(failed?.outcome == .failure && failed?.sourceIP == "203.0.113.9" && failed?.user == nil)
        let timeout = syslogEvent("Jun 18 02:23:10 combo ftpd[31277]: User unknown timed out after 900 seconds at Sat Jun 18 02:23:10 2005 ")
        #expect(timeout?.eventType == .other)
    }

    @Test func vsftpdIsReadFromTheRightSoTheUserCannotMoveTheAddress() {
        let f = syslogEvent(#"Mar  3 10:00:03 ftp vsftpd[91]: [pid 91] [admin] FAIL LOGIN: Client "192.0.2.44""#)
        #expect(f?.outcome == .failure && f?.user == "admin" && f?.sourceIP == "192.0.2.44")
        let tricky = syslogEvent(#"Mar  3 10:00:04 ftp vsftpd[92]: [pid 92] [x] OK LOGIN: Client "10.0.0.1"] FAIL LOGIN: Client "192.0.2.45""#)
        #expect(tricky?.outcome == .failure && tricky?.sourceIP == "192.0.2.45")
        let ok = syslogEvent(#"Mar  3 10:00:05 ftp vsftpd[93]: [pid 93] [bob] OK LOGIN: Client "10.1.2.3""#)
        #expect(ok?.outcome == .success && ok?.user == "bob" && ok?.sourceIP == "10.1.2.3")
    }

    @Test func loginOnConsolesAndTelnet() {
        let root = syslogEvent("Jul 27 14:41:57 combo login[1998]: ROOT LOGIN ON tty2")
        #expect(root?.eventType == .login && root?.outcome == .success && root?.user == "root" && root?.sourceIP == nil && root?.authMethod == "console")
        let shadowRoot = syslogEvent("Jul 27 14:41:58 box login[1999]: ROOT LOGIN  on '/dev/pts/2' from '198.51.100.21'")
        #expect(shadowRoot?.outcome == .success && shadowRoot?.user == "root" && shadowRoot?.sourceIP == "198.51.100.21")
        let shadowConsole = syslogEvent("Jul 27 14:41:59 box login[2000]: ROOT LOGIN  on '/dev/tty1'")
        #expect(shadowConsole?.user == "root" && shadowConsole?.sourceIP == nil && shadowConsole?.authMethod == "console")
        let by = syslogEvent("Jul 27 14:42:00 combo login[2001]: LOGIN ON pts/3 BY alice FROM 198.51.100.20")
        #expect(by?.user == "alice" && by?.sourceIP == "198.51.100.20" && by?.authMethod == "login")
        let util = syslogEvent("Jul 27 14:43:00 iot login[300]: FAILED LOGIN 1 FROM 203.0.113.50 FOR root, Authentication failure")
        #expect(util?.outcome == .failure && util?.user == "root" && util?.sourceIP == "203.0.113.50")
        let shadow = syslogEvent("Jul 27 14:44:00 box login[301]: FAILED LOGIN (1) on '/dev/pts/1' from '203.0.113.51' FOR 'UNKNOWN', User not known to the underlying authentication module")
        #expect(shadow?.outcome == .failure && shadow?.invalidUser == true && shadow?.sourceIP == "203.0.113.51")
        // A user name that imitates the rest of the line does not move the source.
        let spoof = syslogEvent("Jul 27 14:45:00 iot login[302]: FAILED LOGIN 2 FROM 203.0.113.52 FOR x FROM 10.0.0.9 FOR y, Authentication failure")
        #expect(spoof?.sourceIP == "203.0.113.52")
        let local = syslogEvent("Jul 27 14:46:00 box login[303]: FAILED LOGIN 1 FROM (null) FOR bob, Authentication failure")
        #expect(local?.outcome == .failure && local?.sourceIP == nil && local?.user == "bob")
        let summary = syslogEvent("Jul 27 14:47:00 iot login[300]: FAILED LOGIN SESSION FROM 203.0.113.50 FOR root, Authentication failure")
        #expect(summary?.eventType == .other, "sums up tries already counted")
    }

    @Test func aKerberosFailureBurstIsABruteForce() throws {
        let lines = (0..<10).flatMap { i in [
            "Jun 30 20:53:0\(i) combo klogind[\(19272 + i)]: Authentication failed from 163.27.187.39 (163.27.187.39): Permission denied in replay cache code ",
            "Jun 30 20:53:0\(i) combo klogind[\(19272 + i)]: Kerberos authentication failed ",
        ] }.joined(separator: "\n")
        let a = Analysis.run(paths: [try temporaryFile(lines)], reader: LogReader(options: ParseOptions(year: 2005)), model: nil)
        let bf = a.anomalies.filter { $0.kind == .bruteForce }
        #expect(bf.count == 1 && bf.first?.sourceIP == "163.27.187.39" && bf.first?.eventCount == 10, "\(a.anomalies.map { "\($0.kind) \($0.sourceIP ?? "-") \($0.eventCount)" })")
    }
}
