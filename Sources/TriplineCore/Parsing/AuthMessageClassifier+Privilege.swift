/// sudo, su, account and group management, and systemd-logind sessions.
extension AuthMessageClassifier {
    /// `alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/id`, with an optional
    /// reason first (`3 incorrect password attempts`, `user NOT in sudoers`, …).
    mutating func sudo(_ m0: ByteSpan, _ e: inout LogEvent) {
        let m = m0.trimmed()
        guard let sep = m.find(" : ") else { return }
        e.eventType = .sudo
        e.user = user(m, 0, sep)
        var fieldsStart = sep + 3
        var reason: ByteSpan?
        if !m.matches("TTY=", at: fieldsStart), !m.matches("HOST=", at: fieldsStart), !m.matches("PWD=", at: fieldsStart) {
            let re = m.find(" ; ", from: fieldsStart) ?? m.count
            reason = m.slice(fieldsStart, re)
            fieldsStart = min(re + 3, m.count)
        }
        if let c = m.find("COMMAND=", from: fieldsStart) { e.command = m.string(c + 8, m.count) }
        if let u = m.find("USER=", from: fieldsStart), m.at(u - 1) == 0x20 || u == fieldsStart {
            let ue = m.find(" ; ", from: u) ?? m.count
            e.targetUser = m.string(u + 5, ue)
        }
        if let reason {
            e.outcome = .failure
            if reason.find("incorrect password") != nil { e.action = "incorrect_password" }
            else if reason.find("NOT in sudoers") != nil { e.action = "not_in_sudoers" }
            else if reason.find("NOT authorized") != nil || reason.find("not allowed") != nil { e.action = "not_allowed" }
            else if reason.find("password is required") != nil { e.action = "password_required" }
            else { e.action = "refused" }
        } else if e.command != nil {
            e.outcome = .success; e.action = "command"
        }
        if e.targetUser == nil, e.command != nil { e.targetUser = "root" }
    }

    /// su's messages: shadow-utils (`Successful su for root by alice`, `+ pts/0 alice:root`),
    /// util-linux (`(to root) alice on pts/0`, `FAILED SU (to root) alice on pts/0`), and old
    /// BSD forms (`BAD SU alice to root on /dev/ttyp0`, `alice to root on /dev/ttyp1`).
    mutating func su(_ m: ByteSpan, _ e: inout LogEvent) {
        e.eventType = .su
        func forBy(_ start: Int) {
            if let by = m.findLast(" by ") {
                e.targetUser = user(m, start, by)
                e.user = user(m, by + 4, m.count)
            }
        }
        func toOn(_ start: Int) {
            // "(to root) alice on pts/0"
            guard m.matches("(to ", at: start), let close = m.firstIndex(of: UInt8(ascii: ")"), from: start) else { return }
            e.targetUser = user(m, start + 4, close)
            let us = close + 2
            let on = m.findLast(" on ") ?? m.count
            e.user = user(m, us, max(us, on))
        }
        if m.hasPrefix("Successful su for ") {
            e.outcome = .success; e.action = "su"; forBy(18)
        } else if m.hasPrefix("FAILED su for ") {
            e.outcome = .failure; e.action = "su_failed"; forBy(14)
        } else if m.hasPrefix("FAILED SU ") {
            e.outcome = .failure; e.action = "su_failed"; toOn(10)
        } else if m.hasPrefix("(to ") {
            e.outcome = .success; e.action = "su"; toOn(0)
        } else if m.hasPrefix("+ ") || m.hasPrefix("- ") {
            // "+ pts/0 alice:root"
            let ok = m.hasPrefix("+ ")
            let ts = m.endOfToken(from: 2)
            let pair = m.slice(ts + 1, m.count)
            if let colon = pair.lastIndex(of: UInt8(ascii: ":")) {
                e.user = user(pair, 0, colon)
                e.targetUser = user(pair, colon + 1, pair.count)
                e.outcome = ok ? .success : .failure
                e.action = ok ? "su" : "su_failed"
            }
        } else if m.hasPrefix("BAD SU ") {
            e.outcome = .failure; e.action = "su_failed"
            if let to = m.find(" to ", from: 7) {
                e.user = user(m, 7, to)
                let te = m.find(" on ", from: to + 4) ?? m.count
                e.targetUser = user(m, to + 4, te)
            }
        } else if m.hasPrefix("failed: ") {
            // "failed: ttyq4 changing from ldap to root"
            e.outcome = .failure; e.action = "su_failed"
            if let from = m.find(" changing from "), let to = m.findLast(" to ") , to > from {
                e.user = user(m, from + 15, to)
                e.targetUser = user(m, to + 4, m.count)
            }
        } else if let to = m.find(" to "), let on = m.findLast(" on "), on > to {
            // "alice to root on /dev/ttyp1"
            e.outcome = .success; e.action = "su"
            e.user = user(m, 0, to)
            e.targetUser = user(m, to + 4, on)
        } else {
            e.eventType = .other
        }
    }

    /// useradd, userdel, usermod, groupadd, passwd and friends (shadow-utils messages).
    mutating func accounts(_ m: ByteSpan, _ e: inout LogEvent) {
        func field(_ name: StaticString) -> String? {
            guard let at = m.find(name) else { return nil }
            let s = at + name.utf8CodeUnitCount
            let end = m.firstIndex(of: UInt8(ascii: ","), from: s) ?? m.count
            return user(m, s, end)
        }
        func quoted(_ after: Int) -> String? {
            guard let a = m.firstIndex(of: UInt8(ascii: "'"), from: after),
                  let b = m.firstIndex(of: UInt8(ascii: "'"), from: a + 1) else { return nil }
            return user(m, a + 1, b)
        }
        e.outcome = .success
        if m.hasPrefix("new user: ") {
            e.eventType = .userChange; e.action = "user_created"; e.targetUser = field("name=")
        } else if m.hasPrefix("new group: ") || m.hasPrefix("group added to ") {
            e.eventType = .groupChange; e.action = "group_created"; e.targetUser = field("name=")
        } else if m.hasPrefix("delete user ") {
            e.eventType = .userChange; e.action = "user_deleted"; e.targetUser = quoted(0)
        } else if m.hasPrefix("removed group ") || m.hasPrefix("group '") && m.find("removed") != nil {
            e.eventType = .groupChange; e.action = "group_deleted"; e.targetUser = quoted(0)
        } else if m.hasPrefix("add '") || m.hasPrefix("add member '") {
            e.eventType = .groupChange; e.action = "group_member_added"; e.targetUser = quoted(0)
        } else if m.hasPrefix("delete '") || m.hasPrefix("delete member '") {
            e.eventType = .groupChange; e.action = "group_member_removed"; e.targetUser = quoted(0)
        } else if m.hasPrefix("change user '") || m.hasPrefix("lock user '") || m.hasPrefix("unlock user '") {
            let isPassword = m.find("password") != nil
            e.eventType = isPassword ? .passwordChange : .userChange
            e.action = m.hasPrefix("change") ? (isPassword ? "password_changed" : "user_modified") : (m.hasPrefix("lock") ? "user_locked" : "user_unlocked")
            e.targetUser = quoted(0)
        } else if m.hasPrefix("password for '") {
            // "password for 'bob' changed by 'root'"
            e.eventType = .passwordChange; e.action = "password_changed"
            e.targetUser = quoted(0)
            if let by = m.find(" by ") { e.user = quoted(by) }
        } else {
            e.outcome = .unknown
            return
        }
        if e.user == nil { e.user = e.targetUser }
    }

    /// systemd-logind: `New session 12 of user alice.`, `Removed session 12.`
    mutating func logind(_ m: ByteSpan, _ e: inout LogEvent) {
        if m.hasPrefix("New session "), let of = m.find(" of user ") {
            e.eventType = .sessionOpen; e.outcome = .success; e.action = "session_opened"
            var end = m.count
            if m.hasSuffix(".") { end -= 1 }
            e.user = user(m, of + 9, end)
        } else if m.hasPrefix("Removed session ") {
            e.eventType = .sessionClose; e.outcome = .success; e.action = "session_closed"
        } else if m.hasPrefix("Session "), m.find(" logged out") != nil {
            e.eventType = .logout; e.outcome = .success; e.action = "logged_out"
        }
    }
}
