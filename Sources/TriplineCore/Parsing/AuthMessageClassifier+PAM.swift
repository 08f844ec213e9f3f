/// PAM module messages (`pam_unix(sshd:auth): authentication failure; …`, session open/close,
/// password changes), for any program.
extension AuthMessageClassifier {
    /// PAM's messages without the `pam_unix(service:type): ` prefix, as older syslogs write them
    /// under a `sshd(pam_unix)[pid]` or `su(pam_unix)[pid]` tag.
    static func isBarePAM(_ m: ByteSpan) -> Bool {
        if m.hasPrefix("authentication failure; ") || m.hasPrefix("check pass; ")
            || m.hasPrefix("session opened for user ") || m.hasPrefix("session closed for user ") { return true }
        // "2 more authentication failures; logname= …"
        guard let (_, end) = m.digits(at: 0, max: 4) else { return false }
        return m.matches(" more authentication failure", at: end)
    }

    /// Classifies a PAM line; false when the message is not one.
    mutating func pam(_ m: ByteSpan, _ e: inout LogEvent, defaultService: String?) -> Bool {
        var service = defaultService
        var rest: ByteSpan
        if m.hasPrefix("pam_"), let open = m.firstIndex(of: UInt8(ascii: "(")), open < 32,
           let close = m.firstIndex(of: UInt8(ascii: ")"), from: open), m.matches("): ", at: close) {
            // pam_unix(sshd:auth): …
            let inner = m.slice(open + 1, close)
            let colon = inner.firstIndex(of: UInt8(ascii: ":")) ?? inner.count
            if colon > 0 { service = inner.string(0, colon) }
            rest = m.suffix(from: close + 3)
        } else if m.hasPrefix("(pam_unix) ") {
            rest = m.suffix(from: 11)
        } else if m.hasPrefix("pam_unix: ") {
            rest = m.suffix(from: 10)
        } else if m.hasPrefix("PAM ") || AuthMessageClassifier.isBarePAM(m) {
            rest = m
        } else {
            return false
        }
        let kind = AuthMessageClassifier.eventType(forService: service)

        let more = (rest.hasPrefix("PAM ") || rest.digits(at: 0, max: 4) != nil) && rest.find(" more authentication failure") != nil
        if rest.hasPrefix("authentication failure; ") || more {
            e.eventType = kind; e.outcome = .failure
            e.action = more ? "pam_more_failures" : "pam_auth_failure"
            let f = pamFields(rest)
            e.sourceIP = f.rhost
            if kind == .sudo || kind == .su {
                // The invoking account is logname/ruser; user= is the account authenticated as.
                e.user = f.ruser ?? f.logname ?? f.user
                e.targetUser = f.user
                if kind == .sudo { e.targetUser = "root" }
            } else {
                e.user = f.user ?? f.ruser
            }
        } else if rest.hasPrefix("check pass; user unknown") {
            e.eventType = kind; e.outcome = .failure; e.action = "pam_user_unknown"; e.invalidUser = true
        } else if rest.hasPrefix("session opened for user ") || rest.hasPrefix("session closed for user ") {
            let opened = rest.hasPrefix("session opened")
            e.eventType = opened ? .sessionOpen : .sessionClose
            e.outcome = .success
            e.action = opened ? "session_opened" : "session_closed"
            // "session opened for user root(uid=0) by alice(uid=1000)"
            let us = 24
            var ue = rest.find(" by ", from: us) ?? rest.count
            let target = cutUID(rest, us, ue)
            var actor: String?
            if ue < rest.count {
                let bs = ue + 4
                ue = rest.count
                actor = cutUID(rest, bs, ue)
            }
            // "by LOGIN(uid=0)" names login(1) itself, not a person.
            if let actor, !actor.isEmpty, actor != target, actor != "LOGIN" {
                e.user = actor; e.targetUser = target
            } else {
                e.user = target
            }
        } else if rest.hasPrefix("password changed for ") {
            e.eventType = .passwordChange; e.outcome = .success; e.action = "password_changed"
            e.targetUser = rest.string(21, rest.count)
            e.user = e.targetUser
        } else {
            return e.eventType != .other
        }
        if e.program == nil { e.program = service }
        return true
    }

    /// `name(uid=N)` → `name`; empty names become nil.
    private func cutUID(_ s: ByteSpan, _ a: Int, _ b: Int) -> String? {
        var end = b
        if let p = s.slice(a, b).firstIndex(of: UInt8(ascii: "(")) { end = a + p }
        return end > a ? s.string(a, end) : nil
    }

    /// The event type a PAM service name implies.
    static func eventType(forService service: String?) -> EventType {
        switch service {
        case "sudo", "sudo-i": return .sudo
        case "su", "su-l": return .su
        case "passwd", "chpasswd": return .passwordChange
        default: return .login
        }
    }

    struct PAMFields {
        var logname: String?
        var ruser: String?
        var rhost: String?
        var user: String?
    }

    /// Reads `logname= uid= euid= tty= ruser= rhost= [ user=]`. ruser and user are chosen by
    /// whoever logs in, so the real `rhost=` is the one followed by `user=` or the end; when
    /// two qualify, the one that makes ruser and user agree wins, else the first.
    func pamFields(_ s: ByteSpan) -> PAMFields {
        var f = PAMFields()
        if let l = s.find("logname=") {
            let ls = l + 8
            let le = s.find(" uid=", from: ls) ?? s.endOfToken(from: ls)
            if le > ls { f.logname = s.string(ls, le) }
        }
        guard let r = s.find("ruser=") else {
            if let u = s.find(" user=") { f.user = user(s, u + 6, s.count) }
            return f
        }
        let ruserStart = r + 6
        struct Candidate { var at: Int; var host: String?; var userStart: Int? }
        var cands: [Candidate] = []
        var k = r + 5
        while let c = s.find(" rhost=", from: k) {
            let hs = c + 7
            let he = s.endOfToken(from: hs)
            let hostOK = he == hs || AddressToken.isValid(s, hs, he)
            if hostOK {
                if he == s.count {
                    cands.append(Candidate(at: c, host: he > hs ? AddressToken.text(s, hs, he) : nil, userStart: nil))
                } else {
                    let q = s.skipSpaces(from: he)
                    if q == s.count {
                        cands.append(Candidate(at: c, host: he > hs ? AddressToken.text(s, hs, he) : nil, userStart: nil))
                    } else if s.matches("user=", at: q) {
                        cands.append(Candidate(at: c, host: he > hs ? AddressToken.text(s, hs, he) : nil, userStart: q + 5))
                    }
                }
            }
            k = c + 1
        }
        var chosen = cands.first
        if cands.count > 1 {
            for c in cands {
                let ru = s.string(ruserStart, max(ruserStart, c.at))
                let us = c.userStart.map { s.string($0, s.count) } ?? ""
                if !ru.isEmpty, ru == us { chosen = c; break }
            }
        }
        guard let c = chosen else { return f }
        f.ruser = c.at > ruserStart ? s.string(ruserStart, c.at) : nil
        f.rhost = c.host
        if let us = c.userStart, us < s.count { f.user = s.string(us, s.count) }
        if f.user == nil { f.user = f.ruser }
        return f
    }
}
