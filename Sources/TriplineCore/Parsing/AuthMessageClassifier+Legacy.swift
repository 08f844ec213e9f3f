/// Logins through the older remote services that still write to auth logs: the Kerberos
/// r-services (`klogind`, `kshd`), FTP daemons (`ftpd`, `vsftpd`) and `login` (consoles and
/// telnet). Their failures count like sshd's: a burst of them from one address is a brute force.
extension AuthMessageClassifier {
    /// Programs read here (a set, as ``accountPrograms``); the rest of a program's lines stay `other`.
    static let legacyLoginPrograms: Set<String> = [
        "klogind", "kshd", "krshd", "eklogind", "ftpd", "in.ftpd", "wu-ftpd", "vsftpd", "login",
    ]

    /// Classifies a line of one of ``legacyLoginPrograms``.
    func legacyLogin(_ m0: ByteSpan, program: String, _ e: inout LogEvent) {
        let m = m0.trimmed()
        switch program {
        case "login": consoleLogin(m, &e)
        case "vsftpd": vsftpd(m, &e)
        case "ftpd", "in.ftpd", "wu-ftpd": ftpd(m, &e)
        default: kerberosLogin(m, &e)
        }
    }

    /// `Authentication failed from ADDR (HOST): REASON` — klogind/kshd refused a Kerberos login.
    /// (The `Kerberos authentication failed` line that follows is the same attempt: left `other`.)
    private func kerberosLogin(_ m: ByteSpan, _ e: inout LogEvent) {
        guard m.hasPrefix("Authentication failed from ") else { return }
        e.eventType = .login; e.outcome = .failure; e.action = "kerberos_failed"; e.authMethod = "kerberos"
        let a = 27
        var b = m.endOfToken(from: a)
        if b > a, m[b - 1] == UInt8(ascii: ":") { b -= 1 }
        e.sourceIP = AddressToken.text(m, a, b)
    }

    /// wu-ftpd and BSD ftpd: `connection from ADDR (HOST) at …`, `FTP LOGIN FROM HOST [ADDR], USER`,
    /// `ANONYMOUS FTP LOGIN FROM HOST [ADDR], PASS` (or `FROM ADDR, (anonymous)`),
    /// `failed login from HOST [ADDR]`, `FTP LOGIN REFUSED (…) FROM HOST [ADDR], USER`.
    private func ftpd(_ m: ByteSpan, _ e: inout LogEvent) {
        if m.hasPrefix("connection from ") {
            e.eventType = .connection; e.action = "ftp_connection"
            e.sourceIP = AddressToken.text(m, 16, m.endOfToken(from: 16))
        } else if m.hasPrefix("ANONYMOUS FTP LOGIN FROM ") {
            // No account is authenticated: a connection that asked for anonymous access.
            e.eventType = .connection; e.outcome = .success; e.action = "ftp_anonymous"
            e.sourceIP = ftpPeer(m, from: 25)?.address
        } else if m.hasPrefix("FTP LOGIN FROM ") {
            e.eventType = .login; e.outcome = .success; e.action = "accepted"; e.authMethod = "ftp"
            if let p = ftpPeer(m, from: 15) { e.sourceIP = p.address; e.user = p.user }
        } else if m.hasPrefix("FTP LOGIN REFUSED "), let f = m.find(" FROM ", from: 18) {
            e.eventType = .login; e.outcome = .failure; e.action = "ftp_refused"; e.authMethod = "ftp"
            if let p = ftpPeer(m, from: f + 6) { e.sourceIP = p.address; e.user = p.user }
        } else if m.hasPrefix("failed login from ") {
            e.eventType = .login; e.outcome = .failure; e.action = "ftp_failed"; e.authMethod = "ftp"
            e.sourceIP = ftpPeer(m, from: 18)?.address
        }
    }

    /// `HOST [ADDR], USER` or `ADDR, …` starting at `a`: the bracketed address when there is
    /// one, and what follows the comma as the user (nil for anonymous logins' password field).
    private func ftpPeer(_ m: ByteSpan, from a: Int) -> (address: String?, user: String?)? {
        guard a < m.count else { return nil }
        var address: String?
        var rest = m.endOfToken(from: a)
        if m.matches(" [", at: rest), let close = m.firstIndex(of: UInt8(ascii: "]"), from: rest + 2) {
            address = AddressToken.text(m, rest + 2, close)
            rest = close + 1
        } else {
            var b = rest
            if b > a, m[b - 1] == UInt8(ascii: ",") { b -= 1; rest = b }
            address = AddressToken.text(m, a, b)
        }
        var user: String?
        if m.matches(", ", at: rest) {
            let us = m.skipSpaces(from: rest + 2)
            if us < m.count, m[us] != UInt8(ascii: "(") { user = m.string(us, m.count) }
        }
        return (address, user)
    }

    /// vsftpd with `syslog_enable`: `[pid N] [USER] FAIL LOGIN: Client "ADDR"` and `OK LOGIN`.
    /// The user is chosen by the client, so the line is read from its right end.
    private func vsftpd(_ m: ByteSpan, _ e: inout LogEvent) {
        guard let at = m.findLast(" LOGIN: Client \"") else { return }
        let failed = at >= 5 && m.matches("FAIL", at: at - 4)
        guard failed || (at >= 3 && m.matches("OK", at: at - 2)) else { return }
        e.eventType = .login; e.authMethod = "ftp"
        e.outcome = failed ? .failure : .success
        e.action = failed ? "ftp_failed" : "accepted"
        let a = at + 16
        if let q = m.firstIndex(of: UInt8(ascii: "\""), from: a) { e.sourceIP = AddressToken.text(m, a, q) }
        // "[pid 3] [alice] FAIL": the user is between the first "] [" and the "] " before the verdict.
        let verdict = at - (failed ? 4 : 2)
        if let open = m.find("] [", from: 0), open + 3 < verdict - 2, m.matches("] ", at: verdict - 2) {
            e.user = m.string(open + 3, verdict - 2)
        }
    }

    /// login(1): `ROOT LOGIN ON tty2[ FROM HOST]` (shadow: `ROOT LOGIN  on '/dev/tty2'[ from
    /// 'HOST']`), `LOGIN ON pts/0 BY alice[ FROM HOST]`, and
    /// failures as util-linux (`FAILED LOGIN 1 FROM HOST FOR USER, REASON`) and shadow
    /// (`FAILED LOGIN (1) on '/dev/tty1'[ from 'HOST'] FOR 'USER', REASON`) write them.
    private func consoleLogin(_ m: ByteSpan, _ e: inout LogEvent) {
        // A login is local ("console") unless the line names where it came from.
        func setMethod() { e.authMethod = e.sourceIP == nil ? "console" : "login" }
        if m.hasPrefix("ROOT LOGIN "), m.find(" on '") != nil {
            // shadow's `ROOT LOGIN  on '/dev/tty1'[ from 'HOST']`
            e.eventType = .login; e.outcome = .success; e.action = "accepted"; e.user = "root"
            e.sourceIP = shadowHost(m, from: 11, before: m.count)
            setMethod()
        } else if m.hasPrefix("ROOT LOGIN ON ") || m.hasPrefix("LOGIN ON ") {
            e.eventType = .login; e.outcome = .success; e.action = "accepted"
            let root = m.hasPrefix("ROOT ")
            let ttyStart = root ? 14 : 9
            let ttyEnd = m.endOfToken(from: ttyStart)
            var end = m.count
            if let f = m.findLast(" FROM "), f >= ttyEnd {
                e.sourceIP = AddressToken.text(m, f + 6, m.endOfToken(from: f + 6))
                end = f
            }
            setMethod()
            if root {
                e.user = "root"
            } else if m.matches(" BY ", at: ttyEnd), ttyEnd + 4 < end {
                e.user = m.string(ttyEnd + 4, end)
            }
        } else if m.hasPrefix("FAILED LOGIN ") && !m.hasPrefix("FAILED LOGIN SESSION ") {
            // FAILED LOGIN SESSION … sums up the tries already logged one by one.
            e.eventType = .login; e.outcome = .failure; e.action = "login_failed"
            // The host comes before " FOR " and has no spaces, so the first " FOR " is login's own; the
            // user may hold anything, PAM's reason after it no ", ".
            guard let forAt = m.find(" FOR ", from: 13), let comma = m.findLast(", "), comma > forAt else { return }
            var us = forAt + 5, ue = comma
            if m.at(us) == UInt8(ascii: "'"), m.at(ue - 1) == UInt8(ascii: "'") { us += 1; ue -= 1 }
            if ue > us { e.user = m.string(us, ue) }
            if m.suffix(from: comma).find("not known") != nil || e.user == "UNKNOWN" { e.invalidUser = true }
            if let f = m.find(" FROM ", from: 13), f < forAt {
                e.sourceIP = AddressToken.text(m, f + 6, m.endOfToken(from: f + 6))
            } else {
                e.sourceIP = shadowHost(m, from: 13, before: forAt)
            }
            setMethod()
        }
    }

    /// shadow's quoted ` from 'HOST'`, found from `start` and beginning before `limit`.
    private func shadowHost(_ m: ByteSpan, from start: Int, before limit: Int) -> String? {
        guard let f = m.find(" from '", from: start), f < limit,
              let q = m.firstIndex(of: UInt8(ascii: "'"), from: f + 7) else { return nil }
        return AddressToken.text(m, f + 7, q)
    }
}
