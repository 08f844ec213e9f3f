import Foundation
import Testing
@testable import TriplineCore

/// One password attempt, however many lines sshd and PAM log for it, counts once: the counts
/// the thresholds (fail2ban's 5, Wazuh's 8) are compared with are attempts. Lines from a real
/// public log (loghub's OpenSSH sample), where sshd itself says how many attempts there were.
@Suite struct AttemptCountingTests {
    static func weight(_ text: String, source: String? = nil) -> Double {
        var windows = DetectionWindows()
        var total = 0.0
        _ = LogReader(options: ParseOptions(year: 2016)).read(bytes: Array(text.utf8), name: "auth.log") { e in
            let w = windows.observe(e).failureWeight
            if source == nil || e.sourceIP == source { total += w }
        }
        return total
    }

    @Test func anInvalidUserAttemptIsOneAttemptNotFour() {
        // "Invalid user", PAM's "check pass; user unknown" and failure, "Failed password", then
        // the client gives up (14: No more user authentication methods): one attempt each.
        let two = """
        Dec 10 11:03:41 LabSZ sshd[25455]: Invalid user support from 103.99.0.122
        Dec 10 11:03:41 LabSZ sshd[25455]: input_userauth_request: invalid user support [preauth]
        Dec 10 11:03:41 LabSZ sshd[25455]: pam_unix(sshd:auth): check pass; user unknown
        Dec 10 11:03:41 LabSZ sshd[25455]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=103.99.0.122 
        Dec 10 11:03:43 LabSZ sshd[25455]: Failed password for invalid user support from 103.99.0.122 port 60735 ssh2
        Dec 10 11:03:44 LabSZ sshd[25455]: error: Received disconnect from 103.99.0.122: 14: No more user authentication methods available. [preauth]
        Dec 10 11:03:45 LabSZ sshd[25459]: Invalid user user from 103.99.0.122
        Dec 10 11:03:45 LabSZ sshd[25459]: input_userauth_request: invalid user user [preauth]
        Dec 10 11:03:45 LabSZ sshd[25459]: pam_unix(sshd:auth): check pass; user unknown
        Dec 10 11:03:45 LabSZ sshd[25459]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=103.99.0.122 
        Dec 10 11:03:48 LabSZ sshd[25459]: Failed password for invalid user user from 103.99.0.122 port 61269 ssh2
        Dec 10 11:03:48 LabSZ sshd[25459]: error: Received disconnect from 103.99.0.122: 14: No more user authentication methods available. [preauth]
        """
        #expect(Self.weight(two) == 2)
    }

    @Test func severalTriesOnOneConnectionCountEach() {
        // sshd: "PAM 4 more authentication failures", "ignoring max retries; 5 > 3": five tries.
        let five = """
        Dec 10 08:25:06 LabSZ sshd[24369]: Invalid user admin from 5.188.10.180
        Dec 10 08:25:06 LabSZ sshd[24369]: input_userauth_request: invalid user admin [preauth]
        Dec 10 08:25:06 LabSZ sshd[24369]: pam_unix(sshd:auth): check pass; user unknown
        Dec 10 08:25:06 LabSZ sshd[24369]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=5.188.10.180 
        Dec 10 08:25:08 LabSZ sshd[24369]: Failed password for invalid user admin from 5.188.10.180 port 60682 ssh2
        Dec 10 08:25:10 LabSZ sshd[24369]: pam_unix(sshd:auth): check pass; user unknown
        Dec 10 08:25:11 LabSZ sshd[24369]: Failed password for invalid user admin from 5.188.10.180 port 60682 ssh2
        Dec 10 08:25:13 LabSZ sshd[24369]: pam_unix(sshd:auth): check pass; user unknown
        Dec 10 08:25:15 LabSZ sshd[24369]: Failed password for invalid user admin from 5.188.10.180 port 60682 ssh2
        Dec 10 08:25:16 LabSZ sshd[24369]: pam_unix(sshd:auth): check pass; user unknown
        Dec 10 08:25:18 LabSZ sshd[24369]: Failed password for invalid user admin from 5.188.10.180 port 60682 ssh2
        Dec 10 08:25:19 LabSZ sshd[24369]: pam_unix(sshd:auth): check pass; user unknown
        Dec 10 08:25:21 LabSZ sshd[24369]: Failed password for invalid user admin from 5.188.10.180 port 60682 ssh2
        Dec 10 08:25:22 LabSZ sshd[24369]: Connection closed by 5.188.10.180 [preauth]
        Dec 10 08:25:22 LabSZ sshd[24369]: PAM 4 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=5.188.10.180 
        Dec 10 08:25:22 LabSZ sshd[24369]: PAM service(sshd) ignoring max retries; 5 > 3
        """
        #expect(Self.weight(five) == 5)
    }

    @Test func theNoneProbeIsNotAPasswordTry() {
        let one = """
        Dec 10 08:24:40 LabSZ sshd[24363]: Invalid user 0 from 5.188.10.180
        Dec 10 08:24:40 LabSZ sshd[24363]: input_userauth_request: invalid user 0 [preauth]
        Dec 10 08:24:40 LabSZ sshd[24363]: Failed none for invalid user 0 from 5.188.10.180 port 49811 ssh2
        Dec 10 08:24:43 LabSZ sshd[24363]: pam_unix(sshd:auth): check pass; user unknown
        Dec 10 08:24:43 LabSZ sshd[24363]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=5.188.10.180 
        Dec 10 08:24:45 LabSZ sshd[24363]: Failed password for invalid user 0 from 5.188.10.180 port 49811 ssh2
        Dec 10 08:24:46 LabSZ sshd[24363]: Connection closed by 5.188.10.180 [preauth]
        """
        #expect(Self.weight(one) == 1)
    }

    @Test func aClientThatGivesUpWithoutTryingIsOneAttempt() {
        let gaveUp = """
        Dec 10 11:03:40 LabSZ sshd[25448]: error: Received disconnect from 103.99.0.122: 14: No more user authentication methods available. [preauth]
        Dec 10 07:51:15 LabSZ sshd[24324]: error: Received disconnect from 195.154.37.122: 3: com.jcraft.jsch.JSchException: Auth fail [preauth]
        """
        #expect(Self.weight(gaveUp) == 2)
    }

    /// sshd's summary of a connection it ended stands for the attempts it allowed when none of
    /// them was logged: a server whose log keeps only the errors (the shape on a real
    /// internet-facing server that fail2ban bans and that went unflagged).
    static let summariesOnly: String = (0..<5).map { i in
        """
        Dec 10 09:00:\(String(format: "%02d", i * 6)) web sshd[\(700 + i)]: error: maximum authentication attempts exceeded for root from 45.148.10.21 port \(51000 + i) ssh2 [preauth]
        Dec 10 09:00:\(String(format: "%02d", i * 6)) web sshd[\(700 + i)]: Disconnecting authenticating user root 45.148.10.21 port \(51000 + i): Too many authentication failures [preauth]
        Dec 10 09:00:\(String(format: "%02d", i * 6 + 1)) web sshd[\(700 + i)]: Connection closed by authenticating user root 45.148.10.21 port \(51000 + i) [preauth]

        """
    }.joined()

    @Test func aMaxAttemptsLineAloneStandsForTheAttemptsAllowed() {
        #expect(Self.weight(Self.summariesOnly) == 30)
    }

    @Test func fiveSummariesInHalfAMinuteAreABruteForce() {
        let found = Analysis.run(bytes: Array(Self.summariesOnly.utf8), name: "auth.log",
                                 reader: LogReader(options: ParseOptions(year: 2016, timeZone: TimeZone(identifier: "UTC")!)), model: nil).anomalies
        #expect(found.contains { $0.kind == .bruteForce && $0.sourceIP == "45.148.10.21" && $0.severity >= .medium }, "\(found.map { ($0.kind, $0.severity) })")
    }

    /// A real line set (loghub's OpenSSH sample): one logged failure, five more as a repeated
    /// line, then sshd's "Too many authentication failures": six attempts, not twelve.
    @Test func aSummaryAfterLoggedAttemptsAddsNothing() {
        let six = """
        Dec 10 07:13:31 LabSZ sshd[24227]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=5.36.59.76.dynamic-dsl-ip.omantel.net.om  user=root
        Dec 10 07:13:43 LabSZ sshd[24227]: Failed password for root from 5.36.59.76 port 42393 ssh2
        Dec 10 07:13:56 LabSZ sshd[24227]: message repeated 5 times: [ Failed password for root from 5.36.59.76 port 42393 ssh2]
        Dec 10 07:13:56 LabSZ sshd[24227]: Disconnecting: Too many authentication failures for root [preauth]
        """
        #expect(Self.weight(six, source: "5.36.59.76") == 6)
        let logged = (0..<6).map { "Dec 10 07:20:0\($0) LabSZ sshd[300]: Failed password for root from 203.0.113.4 port 4000 ssh2\n" }.joined()
            + "Dec 10 07:20:06 LabSZ sshd[300]: error: maximum authentication attempts exceeded for root from 203.0.113.4 port 4000 ssh2 [preauth]\n"
            + "Dec 10 07:20:06 LabSZ sshd[300]: Disconnecting authenticating user root 203.0.113.4 port 4000: Too many authentication failures [preauth]\n"
        #expect(Self.weight(logged) == 6)
    }

    /// An agent that offers more keys than the server allows: one attempt, not six.
    @Test func keysRunningOutAreOneAttempt() {
        let keys = """
        Dec 10 09:10:01 web sshd[900]: Failed publickey for alice from 198.51.100.20 port 5000 ssh2: RSA SHA256:AAAA
        Dec 10 09:10:01 web sshd[900]: Failed publickey for alice from 198.51.100.20 port 5000 ssh2: ED25519 SHA256:BBBB
        Dec 10 09:10:01 web sshd[900]: Failed publickey for alice from 198.51.100.20 port 5000 ssh2: ECDSA SHA256:CCCC
        Dec 10 09:10:01 web sshd[900]: error: maximum authentication attempts exceeded for alice from 198.51.100.20 port 5000 ssh2 [preauth]
        Dec 10 09:10:01 web sshd[900]: Disconnecting authenticating user alice 198.51.100.20 port 5000: Too many authentication failures [preauth]
        """
        #expect(Self.weight(keys) == 1)
    }

    /// keyboard-interactive through PAM: PAM's failure, sshd's `error: PAM:` line and its
    /// `Failed keyboard-interactive/pam` are one attempt; the disconnect after it is none.
    @Test func keyboardInteractiveThroughPAMIsOneAttemptPerTry() {
        let two = """
        Dec 10 09:20:01 web sshd[910]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=198.51.100.40  user=root
        Dec 10 09:20:03 web sshd[910]: error: PAM: Authentication failure for root from 198.51.100.40
        Dec 10 09:20:03 web sshd[910]: Failed keyboard-interactive/pam for root from 198.51.100.40 port 6000 ssh2
        Dec 10 09:20:05 web sshd[910]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=198.51.100.40  user=root
        Dec 10 09:20:07 web sshd[910]: error: PAM: Authentication failure for root from 198.51.100.40
        Dec 10 09:20:07 web sshd[910]: Failed keyboard-interactive/pam for root from 198.51.100.40 port 6000 ssh2
        Dec 10 09:20:08 web sshd[910]: Connection closed by authenticating user root 198.51.100.40 port 6000 [preauth]
        """
        #expect(Self.weight(two) == 2)
    }

    /// A client whose keys the server refused and that then closes before logging in made one
    /// failed attempt (a key-scanning bot logs nothing else; fail2ban's aggressive mode counts
    /// it); a refused key followed by an accepted one is a login; password failures on the
    /// connection are counted and the close adds nothing.
    @Test func refusedKeysThenACloseIsOneAttempt() {
        let scan = """
        Nov 28 09:16:05 srv sshd[32310]: Failed publickey for git from 192.0.2.111 port 57910 ssh2: ECDSA 1e:fe:00
        Nov 28 09:16:05 srv sshd[32310]: Failed publickey for git from 192.0.2.111 port 57910 ssh2: RSA 14:ba:00
        Nov 28 09:16:05 srv sshd[32310]: Connection closed by 192.0.2.111 [preauth]
        Nov 28 09:16:05 srv sshd[32310]: Connection closed by 192.0.2.111 [preauth]
        """
        #expect(Self.weight(scan) == 1)
        let agent = """
        Nov 28 09:17:00 srv sshd[32400]: Failed publickey for git from 192.0.2.5 port 5000 ssh2: ECDSA 1e:fe:00
        Nov 28 09:17:00 srv sshd[32400]: Accepted publickey for git from 192.0.2.5 port 5000 ssh2: RSA 14:ba:00
        """
        #expect(Self.weight(agent) == 0)
        let passwords = """
        Nov 28 09:18:00 srv sshd[32500]: Failed publickey for root from 192.0.2.6 port 5001 ssh2: RSA 14:ba:00
        Nov 28 09:18:02 srv sshd[32500]: Failed password for root from 192.0.2.6 port 5001 ssh2
        Nov 28 09:18:04 srv sshd[32500]: Failed password for root from 192.0.2.6 port 5001 ssh2
        Nov 28 09:18:05 srv sshd[32500]: Connection closed by 192.0.2.6 port 5001 [preauth]
        """
        #expect(Self.weight(passwords) == 2)
    }
}
