import Foundation
import Testing
@testable import TriplineCore

@Suite struct AuthMessageTests {
    @Test func sshdLogins() throws {
        let a = try #require(syslogEvent("Mar 30 15:54:19 h sshd[1]: Accepted publickey for vagrant from 192.168.121.1 port 56296 ssh2: RSA SHA256:1M4RzhMyWuFS"))
        #expect(a.eventType == .login && a.outcome == .success)
        #expect(a.user == "vagrant" && a.sourceIP == "192.168.121.1" && a.sourcePort == 56296 && a.authMethod == "publickey")
        let f = try #require(syslogEvent("Mar 30 15:54:19 h sshd[2]: Failed keyboard-interactive/pam for invalid user warez from 192.241.237.101 port 54197 ssh2"))
        #expect(f.outcome == .failure && f.invalidUser && f.user == "warez" && f.authMethod == "keyboard-interactive/pam")
        let i = try #require(syslogEvent("Mar 30 15:54:19 h sshd[3]: Invalid user pascal from 35.188.49.176 port 53502"))
        #expect(i.outcome == .failure && i.invalidUser && i.user == "pascal" && i.action == "invalid_user")
    }

    /// OpenSSH 9.8+ drops connections from sources it penalises (PerSourcePenalties).
    @Test func penaltyDropsNameTheSource() throws {
        let d = try #require(syslogEvent("Mar 30 15:54:19 h sshd[99]: drop connection #0 from [203.0.113.50]:5558 on [10.0.0.1]:22 penalty: failed authentication"))
        #expect(d.eventType == .connection && d.outcome == .failure && d.action == "penalty_drop")
        #expect(d.sourceIP == "203.0.113.50" && d.sourcePort == 5558)
        let v6 = try #require(syslogEvent("Mar 30 15:54:19 h sshd[99]: drop connection #3 from [2001:db8::7]:40022 on [2001:db8::1]:22 penalty: exceeded LoginGraceTime"))
        #expect(v6.sourceIP == "2001:db8::7" && v6.sourcePort == 40022)
    }

    @Test func attackerChosenUserNamesDoNotMoveTheSource() throws {
        let a = try #require(syslogEvent("Nov 11 08:04:52 h sshd[2737]: Failed password for invalid user test from 10.10.1.2 port 55555 ssh2 from 127.0.0.1 port 58946 ssh2"))
        #expect(a.sourceIP == "127.0.0.1")
        #expect(a.user == "test from 10.10.1.2 port 55555 ssh2")
        let b = try #require(syslogEvent("Nov 11 08:04:51 h sshd[2737]: Failed password for invalid user from 10.10.1.1 from 127.0.0.1 port 58946 ssh2"))
        #expect(b.sourceIP == "127.0.0.1")
        let c = try #require(syslogEvent("Jul 17 23:04:01 srv sshd[1300]: Connection closed by authenticating user test 127.0.0.1 port 12345 192.0.2.11 port 46039 [preauth]"))
        #expect(c.sourceIP == "192.0.2.11" && c.user == "test 127.0.0.1 port 12345")
        // PAM: the user name carries a fake rhost.
        let d = try #require(syslogEvent("Jul 19 18:11:52 srv2 sshd[5]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.2  user=test rhost=192.0.2.152"))
        #expect(d.sourceIP == "192.0.2.2" && d.user == "test rhost=192.0.2.152")
        // PAM: ruser and user both carry it (sshd sets both to the name tried).
        let e = try #require(syslogEvent("Jul 19 18:11:53 srv2 sshd[6]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser=x rhost=6.6.6.6 rhost=192.0.2.3  user=x rhost=6.6.6.6"))
        #expect(e.sourceIP == "192.0.2.3")
        #expect(e.user == "x rhost=6.6.6.6")
    }

    @Test func hostNamesStayNamesAndMappedIPv4IsNormalised() throws {
        let a = try #require(syslogEvent("May 12 09:47:54 vaio sshd[16004]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=www.example.com  user=root"))
        #expect(a.sourceIP == "www.example.com")
        let b = try #require(syslogEvent("Jan  5 01:31:41 www sshd[1643]: ROOT LOGIN REFUSED FROM ::ffff:1.2.3.4"))
        #expect(b.sourceIP == "1.2.3.4" && b.user == "root" && b.outcome == .failure)
    }

    @Test func addressLessLinesBorrowTheConnectionsAddress() {
        let text = """
        Feb 12 04:09:18 localhost sshd[26713]: Connection from 115.249.163.77 port 51353
        Feb 12 04:09:21 localhost sshd[26713]: Disconnecting: Too many authentication failures for root [preauth]
        """
        let r = syslogEvents(text)
        guard case .event(let e) = r[1] else { Issue.record("skipped"); return }
        #expect(e.outcome == .failure && e.sourceIP == "115.249.163.77" && e.user == "root")
    }

    @Test func sessionsAndLogout() throws {
        let o = try #require(syslogEvent("Mar  7 18:53:20 bar sshd[1556]: pam_unix(sshd:session): session opened for user rda(uid=1000) by (uid=0)"))
        #expect(o.eventType == .sessionOpen && o.user == "rda")
        let c = try #require(syslogEvent("Mar  7 18:53:20 bar sshd[1556]: pam_unix(sshd:session): session closed for user rda"))
        #expect(c.eventType == .sessionClose && c.user == "rda")
        let l = try #require(syslogEvent("Mar  7 18:53:20 bar sshd[1556]: Disconnected from user user 172.18.1.100 port 43042"))
        #expect(l.eventType == .logout && l.user == "user" && l.sourceIP == "172.18.1.100")
        let n = try #require(syslogEvent("Mar  7 18:53:20 bar systemd-logind[612]: New session 12 of user alice."))
        #expect(n.eventType == .sessionOpen && n.user == "alice")
    }

    @Test func sudo() throws {
        let ok = try #require(syslogEvent("Apr 27 15:22:23 niban sudo:     dcid : TTY=pts/4 ; PWD=/home/dcid ; USER=root ; COMMAND=/usr/bin/tail /var/log/snort/alert.fast"))
        #expect(ok.eventType == .sudo && ok.outcome == .success && ok.user == "dcid" && ok.targetUser == "root")
        #expect(ok.command == "/usr/bin/tail /var/log/snort/alert.fast")
        let tsid = try #require(syslogEvent("Dec 30 19:36:11 rheltest sudo: cplummer : TTY=pts/2 ; PWD=/home/cplummer1 ; USER=root ; TSID=0000UM ; COMMAND=/bin/bash"))
        #expect(tsid.command == "/bin/bash" && tsid.targetUser == "root")
        let bad = try #require(syslogEvent("Jun 25 16:15:45 precise32 sudo:     mike : 3 incorrect password attempts ; TTY=pts/0 ; PWD=/root ; USER=root ; COMMAND=/bin/ls"))
        #expect(bad.outcome == .failure && bad.action == "incorrect_password" && bad.user == "mike" && bad.command == "/bin/ls")
        let nis = try #require(syslogEvent("Apr 13 08:36:31 ix sudo:     ddp2 : user NOT in sudoers ; TTY=ttypZ ; PWD=/home/ddp2 ; USER=root ; COMMAND=/bin/ls"))
        #expect(nis.outcome == .failure && nis.action == "not_in_sudoers" && nis.user == "ddp2")
        let pam = try #require(syslogEvent("Apr 13 08:36:31 ix sudo: pam_unix(sudo:auth): authentication failure; logname=alice uid=1000 euid=0 tty=/dev/pts/0 ruser=alice rhost=  user=alice"))
        #expect(pam.eventType == .sudo && pam.outcome == .failure && pam.user == "alice" && pam.sourceIP == nil)
    }

    @Test func su() throws {
        let ok = try #require(syslogEvent("Apr 22 17:51:51 h su[1]: Successful su for root by alice"))
        #expect(ok.eventType == .su && ok.outcome == .success && ok.user == "alice" && ok.targetUser == "root")
        let bad = try #require(syslogEvent("Apr 22 17:51:51 h su[1]: FAILED su for root by alice"))
        #expect(bad.outcome == .failure && bad.user == "alice" && bad.targetUser == "root")
        let pam = try #require(syslogEvent("Apr 27 15:22:23 niban su(pam_unix)[2298]: authentication failure; logname= uid=1342 euid=0 tty= ruser=dcid rhost=  user=root"))
        #expect(pam.eventType == .su && pam.outcome == .failure && pam.user == "dcid" && pam.targetUser == "root")
        let bsd = try #require(syslogEvent("Apr 27 15:22:23 niban su[234]: BAD SU ger to fwmaster on /dev/ttyp0"))
        #expect(bsd.outcome == .failure && bsd.user == "ger" && bsd.targetUser == "fwmaster")
        let ul = try #require(syslogEvent("Apr 27 15:22:23 niban su[234]: FAILED SU (to root) bob on pts/3"))
        #expect(ul.outcome == .failure && ul.user == "bob" && ul.targetUser == "root")
        let plus = try #require(syslogEvent("Apr 27 15:22:23 niban su[234]: + pts/0 alice:root"))
        #expect(plus.outcome == .success && plus.user == "alice" && plus.targetUser == "root")
    }

    @Test func accountChanges() throws {
        let u = try #require(syslogEvent("Mar  1 10:00:00 h useradd[1]: new user: name=bob, UID=1001, GID=1001, home=/home/bob, shell=/bin/bash, from=/dev/pts/0"))
        #expect(u.eventType == .userChange && u.targetUser == "bob" && u.action == "user_created")
        let g = try #require(syslogEvent("Mar  1 10:00:00 h usermod[2]: add 'bob' to group 'sudo'"))
        #expect(g.eventType == .groupChange && g.targetUser == "bob")
        let p = try #require(syslogEvent("Mar  1 10:00:00 h passwd[3]: pam_unix(passwd:chauthtok): password changed for bob"))
        #expect(p.eventType == .passwordChange && p.targetUser == "bob")
    }

    /// Every Wazuh sample line parses to an event; the ones Wazuh files under failed logins are failures.
    @Test(ConformancePaths.required) func wazuhSamplesParse() throws {
        var lines = 0
        for f in ["sshd.ini", "sudo.ini", "su.ini", "pam.ini"] {
            let text = try String(contentsOf: ConformancePaths.file("wazuh/\(f)"), encoding: .utf8)
            for l in text.split(separator: "\n") where l.hasPrefix("log ") {
                guard let eq = l.range(of: " = ") else { continue }
                let line = String(l[eq.upperBound...])
                let e = syslogEvent(line)
                #expect(e != nil, "wazuh/\(f): not parsed: \(line)")
                lines += 1
                if line.contains("Failed password") || line.contains("Invalid user") || line.contains("incorrect password") || line.contains("NOT in sudoers") {
                    #expect(e?.outcome == .failure, "wazuh/\(f): \(line)")
                }
            }
        }
        #expect(lines > 60)
    }

    /// The authentication and pre-authentication messages in OpenSSH's sources (auth.c, auth2.c,
    /// auth-pam.c, sshd.c, sshd-session.c, packet.c, kex.c; openssh-portable 0ef0f5a, 2026-08),
    /// one line each as sshd writes it: what Tripline reads from each. A failure with an address
    /// counts toward the source's attempts; a connection-level failure is a probe of a scan.
    @Test(arguments: [
        // (line, event type, action, outcome, user, source)
        ("User bob from 203.0.113.3 not allowed because listed in DenyUsers", "login", "not_allowed", "failure", "bob", "203.0.113.3"),
        ("User bob from 203.0.113.4 not allowed because not listed in AllowUsers", "login", "not_allowed", "failure", "bob", "203.0.113.4"),
        ("User bob from 203.0.113.5 not allowed because a group is listed in DenyGroups", "login", "not_allowed", "failure", "bob", "203.0.113.5"),
        ("User bob from 203.0.113.6 not allowed because none of user's groups are listed in AllowGroups", "login", "not_allowed", "failure", "bob", "203.0.113.6"),
        ("Invalid user  from 203.0.113.36 port 50036", "login", "invalid_user", "failure", nil, "203.0.113.36"),
        ("Failed none for invalid user admin from 203.0.113.16 port 50016 ssh2", "login", "failed", "failure", "admin", "203.0.113.16"),
        ("Failed keyboard-interactive/pam for invalid user admin from 203.0.113.18 port 50018 ssh2", "login", "failed", "failure", "admin", "203.0.113.18"),
        ("error: PAM: Authentication failure for illegal user admin from 203.0.113.19", "login", "pam_failure", "failure", "admin", "203.0.113.19"),
        ("error: maximum authentication attempts exceeded for invalid user admin from 203.0.113.23 port 50023 ssh2 [preauth]", "login", "max_auth_attempts", "failure", "admin", "203.0.113.23"),
        ("Disconnecting invalid user admin 203.0.113.12 port 50012: Too many authentication failures [preauth]", "login", "too_many_failures", "failure", "admin", "203.0.113.12"),
        ("Disconnecting authenticating user root 203.0.113.13 port 50013: Change of username or service not allowed: (root,ssh-connection) -> (admin,ssh-connection) [preauth]", "login", "username_change", "failure", "root", "203.0.113.13"),
        ("error: Received disconnect from 203.0.113.27 port 50027:3: com.jcraft.jsch.JSchException: Auth fail [preauth]", "disconnect", "auth_fail_disconnect", "failure", nil, "203.0.113.27"),
        ("ROOT LOGIN REFUSED FROM 203.0.113.40 port 50040", "login", "root_login_refused", "failure", "root", "203.0.113.40"),
        ("Timeout before authentication for 203.0.113.7 port 50007", "connection", "timeout_before_auth", "failure", nil, "203.0.113.7"),
        ("Unable to negotiate with 203.0.113.8 port 50008: no matching key exchange method found. Their offer: diffie-hellman-group1-sha1 [preauth]", "connection", "negotiation_failed", "failure", nil, "203.0.113.8"),
        ("banner exchange: Connection from 203.0.113.9 port 50009: invalid format", "connection", "protocol_error", "failure", nil, "203.0.113.9"),
        ("ssh_dispatch_run_fatal: Connection from 203.0.113.11 port 50011: message authentication code incorrect [preauth]", "connection", "protocol_error", "failure", nil, "203.0.113.11"),
        ("Did not receive identification string from 203.0.113.24 port 50024", "connection", "no_identification", "failure", nil, "203.0.113.24"),
        ("Bad protocol version identification 'GET / HTTP/1.1' from 203.0.113.25 port 50025", "connection", "bad_protocol", "failure", nil, "203.0.113.25"),
        ("error: Protocol major versions differ for 203.0.113.32 port 50032: SSH-2.0-OpenSSH_8.0 vs. SSH-1.5-Nmap-SSH1-Hostkey", "connection", "bad_protocol", "failure", nil, "203.0.113.32"),
        ("fatal: Username too long from 203.0.113.15 port 50015", "connection", "username_too_long", "failure", nil, "203.0.113.15"),
        ("Received disconnect from 203.0.113.21 port 50021:11: Bye Bye [preauth]", "disconnect", "received_disconnect", "unknown", nil, "203.0.113.21"),
        ("Connection reset by authenticating user root 203.0.113.28 port 50028 [preauth]", "disconnect", "reset", "unknown", "root", "203.0.113.28"),
        ("Connection closed by invalid user admin 203.0.113.29 port 50029 [preauth]", "disconnect", "closed", "unknown", "admin", "203.0.113.29"),
        ("Postponed keyboard-interactive for root from 203.0.113.17 port 50017 ssh2 [preauth]", "login", "postponed", "unknown", "root", "203.0.113.17"),
    ] as [(String, String, String, String, String?, String?)])
    func openSSHMessages(_ c: (String, String, String, String, String?, String?)) throws {
        let e = try #require(syslogEvent("Mar 30 10:00:00 h sshd[4242]: " + c.0))
        #expect(e.eventType.rawValue == c.1 && e.action == c.2 && e.outcome.rawValue == c.3, "\(e.eventType.rawValue) \(e.action ?? "-") \(e.outcome.rawValue)")
        #expect(e.user == c.4 && e.sourceIP == c.5, "user \(e.user ?? "nil") source \(e.sourceIP ?? "nil")")
    }

    /// auth2.c logs "Accepted" and then, when PAM's account phase refuses the user (expired,
    /// pam_access), "Access denied … by PAM account configuration": a refused login from the
    /// connection's address.
    @Test func pamAccountDenialIsARefusedLogin() throws {
        var parser = SyslogParser(options: ParseOptions(year: 2026, timeZone: TimeZone(identifier: "UTC")!))
        var last: LogEvent?
        for (i, l) in ["Mar 30 10:00:14 h sshd[114]: Connection from 203.0.113.14 port 50014 on 10.0.0.1 port 22",
                       "Mar 30 10:00:14 h sshd[114]: Accepted password for bob from 203.0.113.14 port 50014 ssh2",
                       "Mar 30 10:00:14 h sshd[114]: fatal: Access denied for user bob by PAM account configuration [preauth]"].enumerated() {
            var text = l
            if case .event(let e) = text.withUTF8({ parser.parse(ByteSpan($0), file: "auth.log", line: i + 1) }) { last = e }
        }
        let e = try #require(last)
        #expect(e.action == "not_allowed" && e.outcome == .failure && e.user == "bob" && e.sourceIP == "203.0.113.14")
    }
}
