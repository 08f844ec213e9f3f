/// Turns the message part of a syslog line into a classified ``LogEvent``: sshd, PAM modules,
/// sudo, su, account and group changes, systemd-logind, and the older login services (Kerberos
/// r-services, FTP daemons, login(1)). Anything else becomes an `other` event.
///
/// Attacker-chosen text (user names, client idents) is never trusted to delimit fields: where a
/// message ends in a fixed shape (`… ADDR port N [preauth]`) it is read from the right, and where
/// the user comes before `from ADDR`, the address must be followed by what sshd writes after it.
struct AuthMessageClassifier {
    var sessions = SSHSessionTracker()

    mutating func classify(
        message m: ByteSpan, timestamp: Timestamp, host: String?, program: String?, pid: Int?,
        file: String?, line: Int
    ) -> LogEvent {
        var e = LogEvent(
            timestamp: timestamp, host: host, program: program, pid: pid,
            message: m.string, file: file, line: line)
        classify(&e, message: m)
        return e
    }

    /// Classifies `e` (its time, host, program, process and message set) in place, from the
    /// message `m`: built by the caller where it is kept, the event is not copied on its way.
    mutating func classify(_ e: inout LogEvent, message m: ByteSpan) {
        guard let program = e.program else {
            _ = pam(m, &e, defaultService: nil)
            return
        }
        if program.hasPrefix("sshd") {
            sshd(m, &e)
        } else if program == "sudo" {
            if !pam(m, &e, defaultService: "sudo") { sudo(m, &e) }
        } else if program == "su" || program == "su-l" {
            if !pam(m, &e, defaultService: "su") { su(m, &e) }
        } else if program == "systemd-logind" {
            logind(m, &e)
        } else if AuthMessageClassifier.accountPrograms.contains(program) {
            if !pam(m, &e, defaultService: program) { accounts(m, &e) }
        } else if AuthMessageClassifier.legacyLoginPrograms.contains(program) {
            if !pam(m, &e, defaultService: program) { legacyLogin(m, program: program, &e) }
        } else {
            _ = pam(m, &e, defaultService: program)
        }
    }

    static let accountPrograms: Set<String> = [
        "useradd", "userdel", "usermod", "groupadd", "groupdel", "groupmod", "gpasswd", "passwd",
        "chpasswd", "chage", "adduser", "deluser", "addgroup", "delgroup", "newusers",
    ]

    // MARK: - Shared helpers

    /// The result of reading `USER from ADDR[ port N][ sshN]` where USER is attacker-chosen.
    struct FromClause {
        var userEnd: Int
        var address: String
        var port: Int?
        var end: Int
    }

    /// Finds the first ` from ADDR[ port N][ sshN]` at or after `start` that is followed by one
    /// of the endings sshd writes after the address (end of message, `: `, ` [preauth]`,
    /// ` via `, ` not allowed because`). A fake `from` inside a user name is followed by the real
    /// ` from`, so it is passed over.
    func fromClause(_ s: ByteSpan, userStart start: Int, colonEnds: Bool = false) -> FromClause? {
        var k = start
        while let f = s.find(" from ", from: k) {
            let a = f + 6
            var ae = s.endOfToken(from: a)
            // "from 1.2.3.4: 11: Bye" — a colon glued to the address.
            var glued = false
            if colonEnds, ae > a, s[ae - 1] == UInt8(ascii: ":"), s.slice(a, ae - 1).firstIndex(of: UInt8(ascii: ":")) == nil {
                ae -= 1
                glued = true
            }
            if let addr = AddressToken.text(s, a, ae) {
                var q = ae
                var port: Int?
                if !glued, s.matches(" port ", at: q), let (pv, pe) = s.digits(at: q + 6, max: 5) {
                    port = pv
                    q = pe
                }
                if !glued, s.matches(" ssh", at: q) {
                    var r = q + 4
                    while r < s.count, s[r] >= 0x30, s[r] <= 0x39 { r += 1 }
                    if r == s.count || s[r] == 0x20 || s[r] == UInt8(ascii: ":") { q = r }
                }
                if q == s.count || s.matches(": ", at: q) || (colonEnds && s.at(q) == UInt8(ascii: ":"))
                    || s.matches(" [preauth]", at: q) || s.matches(" via ", at: q)
                    || s.matches(" not allowed because", at: q) || s.matches(" on ", at: q) && glued == false && port != nil
                {
                    return FromClause(userEnd: f, address: addr, port: port, end: q)
                }
            }
            k = f + 1
        }
        return nil
    }

    /// Reads `ADDR port N` (or just `ADDR`) that ends at `end`, from the right. Returns the
    /// address, the port and where the address starts.
    func trailingAddress(_ s: ByteSpan, end: Int) -> (address: String, port: Int?, start: Int)? {
        var b = end
        while b > 0, s[b - 1] == 0x20 { b -= 1 }
        guard b > 0 else { return nil }
        var tokStart = (s.lastIndex(of: 0x20, before: b) ?? -1) + 1
        var port: Int?
        if let (pv, pe) = s.digits(at: tokStart, max: 5), pe == b, s.matches(" port ", at: tokStart - 6) {
            port = pv
            b = tokStart - 6
            tokStart = (s.lastIndex(of: 0x20, before: b) ?? -1) + 1
        }
        guard let addr = AddressToken.text(s, tokStart, b) else { return nil }
        return (addr, port, tokStart)
    }

    /// The end of the meaningful part: before a trailing ` [preauth]`.
    func preauthEnd(_ s: ByteSpan) -> (end: Int, preauth: Bool) {
        if s.hasSuffix(" [preauth]") { return (s.count - 10, true) }
        return (s.count, false)
    }

    /// A user field, or nil when empty.
    func user(_ s: ByteSpan, _ a: Int, _ b: Int) -> String? {
        b > a ? s.string(a, b) : nil
    }
}
