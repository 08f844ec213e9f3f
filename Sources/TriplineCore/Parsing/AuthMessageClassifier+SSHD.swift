/// sshd's messages (OpenSSH 3.x to 9.x, `sshd-session` included).
extension AuthMessageClassifier {
    mutating func sshd(_ m0: ByteSpan, _ e: inout LogEvent) {
        var m = m0
        if m.hasPrefix("error: ") { m = m.suffix(from: 7) } else if m.hasPrefix("fatal: ") { m = m.suffix(from: 7) }
        let entry = sessions.entry(host: e.host, pid: e.pid)
        var ctx = entry.context
        let hadSource = ctx.source != nil
        var wasMaxAuth = false

        if m.hasPrefix("Failed ") || m.hasPrefix("Accepted ") || m.hasPrefix("Postponed ") {
            let accepted = m.hasPrefix("Accepted ")
            let postponed = m.hasPrefix("Postponed ")
            let methodStart = accepted ? 9 : (postponed ? 10 : 7)
            if let forAt = m.find(" for ", from: methodStart) {
                e.eventType = .login
                e.authMethod = m.string(methodStart, forAt)
                var us = forAt + 5
                if m.matches("invalid user ", at: us) { e.invalidUser = true; us += 13 }
                else if m.matches("illegal user ", at: us) { e.invalidUser = true; us += 13 }
                if let fc = fromClause(m, userStart: us) {
                    setUser(m, us, fc.userEnd, &e)
                    e.sourceIP = fc.address
                    e.sourcePort = fc.port
                }
                if accepted {
                    e.outcome = .success; e.action = "accepted"
                    ctx.pending = false
                } else if postponed {
                    e.action = "postponed"
                } else {
                    e.outcome = .failure; e.action = "failed"
                }
            }
        } else if m.hasPrefix("Invalid user ") || m.hasPrefix("Illegal user ") {
            e.eventType = .login; e.outcome = .failure; e.action = "invalid_user"; e.invalidUser = true
            if let fc = fromClause(m, userStart: 13) {
                e.user = user(m, 13, fc.userEnd)
                e.sourceIP = fc.address; e.sourcePort = fc.port
            } else {
                e.user = user(m, 13, m.count)
            }
        } else if m.hasPrefix("Connection closed by ") || m.hasPrefix("Connection reset by ") || m.hasPrefix("Disconnected from ") {
            let isClosed = m.hasPrefix("Connection closed by ")
            let isReset = m.hasPrefix("Connection reset by ")
            let start = isClosed ? 21 : (isReset ? 20 : 18)
            let (end, preauth) = preauthEnd(m)
            e.eventType = .disconnect
            e.action = isClosed ? "closed" : (isReset ? "reset" : "disconnected")
            if let t = trailingAddress(m, end: end), t.start >= start {
                e.sourceIP = t.address; e.sourcePort = t.port
                readDisconnectUser(m, start, t.start, &e)
            }
            if !preauth, !isClosed, !isReset, e.user != nil, !e.invalidUser {
                // "Disconnected from user alice 10.0.0.5 port 50000": a session ended.
                e.eventType = .logout; e.outcome = .success
            }
            resolvePending(&ctx, &e, preauth: preauth)
        } else if m.hasPrefix("Received disconnect from ") {
            e.eventType = .disconnect; e.action = "received_disconnect"
            let (end, preauth) = preauthEnd(m)
            if let fc = fromClause(m.slice(0, end), userStart: 19, colonEnds: true) {
                e.sourceIP = fc.address; e.sourcePort = fc.port
                // Reason code: "...: 3: com.jcraft.jsch.JSchException: Auth fail", ":14: No supported authentication methods available"
                var r = fc.end
                while r < end, m[r] == UInt8(ascii: ":") || m[r] == 0x20 { r += 1 }
                let code = m.digits(at: r, max: 3)?.value
                let text = m.slice(r, end)
                if code == 3, text.find("Auth fail") != nil {
                    e.outcome = .failure; e.action = "auth_fail_disconnect"
                } else if code == 14 {
                    e.outcome = .failure; e.action = "no_auth_methods"
                }
            }
            if e.outcome != .failure { resolvePending(&ctx, &e, preauth: preauth) }
        } else if m.hasPrefix("Connection from ") {
            e.eventType = .connection; e.action = "connect"
            if let fc = fromClause(m, userStart: 10) { e.sourceIP = fc.address; e.sourcePort = fc.port }
        } else if m.hasPrefix("pam_") || m.hasPrefix("(pam_unix)") || m.hasPrefix("PAM ") || AuthMessageClassifier.isBarePAM(m) {
            // Bare PAM text comes from the `sshd(pam_unix)[pid]` tag of older syslogs.
            if !pam(m, &e, defaultService: "sshd") { /* an unrecognised PAM line stays "other" */ }
        } else if m.hasPrefix("Disconnecting") {
            disconnecting(m, &e, &ctx)
        } else if m.hasPrefix("maximum authentication attempts exceeded for ") {
            e.eventType = .login; e.outcome = .failure; e.action = "max_auth_attempts"
            var us = 45
            if m.matches("invalid user ", at: us) { e.invalidUser = true; us += 13 }
            if let fc = fromClause(m, userStart: us) {
                setUser(m, us, fc.userEnd, &e)
                e.sourceIP = fc.address; e.sourcePort = fc.port
            }
            wasMaxAuth = true
        } else if m.hasPrefix("PAM: ") {
            pamError(m, &e)
        } else if m.hasPrefix("User ") {
            notAllowed(m, &e, &ctx)
        } else if m.hasPrefix("input_userauth_request: invalid user ") {
            e.eventType = .login; e.action = "invalid_user_request"; e.invalidUser = true
            let (end, _) = preauthEnd(m)
            e.user = user(m, 37, end)
            if ctx.source == nil { setPending(&ctx, e.user, invalid: true) }
        } else if m.hasPrefix("ROOT LOGIN REFUSED FROM ") {
            e.eventType = .login; e.outcome = .failure; e.action = "root_login_refused"; e.user = "root"
            let (end, _) = preauthEnd(m)
            let a = 24
            var ae = m.endOfToken(from: a)
            if ae > end { ae = end }
            e.sourceIP = AddressToken.text(m, a, ae)
            if m.matches(" port ", at: ae) { e.sourcePort = m.digits(at: ae + 6, max: 5)?.value }
        } else if m.hasPrefix("refused connect from ") {
            e.eventType = .connection; e.outcome = .failure; e.action = "refused_connect"
            if m.hasSuffix(")"), let open = m.lastIndex(of: UInt8(ascii: "(")) {
                e.sourceIP = AddressToken.text(m, open + 1, m.count - 1)
            }
        } else if m.hasPrefix("Address "), m.find("POSSIBLE BREAK-IN ATTEMPT") != nil {
            e.eventType = .connection; e.action = "reverse_mapping_mismatch"
            e.sourceIP = AddressToken.text(m, 8, m.endOfToken(from: 8))
        } else if m.hasPrefix("Access denied for user "), let by = m.find(" by PAM account configuration") {
            // auth2.c: the password or key was right, PAM's account phase said no (expired,
            // pam_access, pam_time): a refused login.
            e.eventType = .login; e.action = "not_allowed"
            e.user = user(m, 23, by)
            if ctx.source != nil { e.outcome = .failure } else { setPending(&ctx, e.user, invalid: false) }
        } else {
            connectionLevel(m, &e)
        }

        // Tie the line to its connection.
        if let src = e.sourceIP, e.pid != nil {
            if ctx.source != src { ctx.source = src; ctx.port = e.sourcePort }
        } else if e.sourceIP == nil, hadSource {
            e.sourceIP = ctx.source
            if e.sourcePort == nil { e.sourcePort = ctx.port }
        }
        ctx.lastWasMaxAuth = wasMaxAuth
        sessions.store(ctx, in: entry)
    }

    /// `USER` for a user field, nil for sshd's placeholder `<invalid username>`.
    private func setUser(_ m: ByteSpan, _ a: Int, _ b: Int, _ e: inout LogEvent) {
        guard b > a else { return }
        if m.matches("<invalid username>", at: a), b - a == 18 {
            e.invalidUser = true
            return
        }
        e.user = m.string(a, b)
    }

    /// "[invalid user |authenticating user |user ]USER " between `a` and the address at `b`.
    private func readDisconnectUser(_ m: ByteSpan, _ a: Int, _ b: Int, _ e: inout LogEvent) {
        var us = a
        if m.matches("invalid user ", at: a) { us = a + 13; e.invalidUser = true }
        else if m.matches("authenticating user ", at: a) { us = a + 20 }
        else if m.matches("user ", at: a) { us = a + 5 }
        else { return }
        // The user ends with the space before the address.
        let ue = b - 1
        e.user = ue > us ? m.string(us, ue) : nil
    }

    private func setPending(_ ctx: inout SSHSessionTracker.Context, _ user: String?, invalid: Bool) {
        ctx.pending = true
        if let user { ctx.pendingUser = user }
        ctx.pendingInvalid = ctx.pendingInvalid || invalid
    }

    /// A line that closes a connection completes a failure seen earlier without an address.
    private func resolvePending(_ ctx: inout SSHSessionTracker.Context, _ e: inout LogEvent, preauth: Bool) {
        guard ctx.pending, e.sourceIP != nil else { return }
        e.outcome = .failure
        e.action = (e.action ?? "closed") + "_after_failure"
        if e.user == nil { e.user = ctx.pendingUser }
        e.invalidUser = e.invalidUser || ctx.pendingInvalid
        ctx.pending = false
        ctx.pendingUser = nil
        ctx.pendingInvalid = false
    }

    /// "Disconnecting[ invalid user X ADDR port N|authenticating user …]: REASON [preauth]".
    private func disconnecting(_ m: ByteSpan, _ e: inout LogEvent, _ ctx: inout SSHSessionTracker.Context) {
        e.eventType = .disconnect; e.action = "disconnecting"
        let (end, _) = preauthEnd(m)
        // The reason follows the last ": " that comes after the address part.
        var reasonStart = end
        if m.matches("Disconnecting: ", at: 0) {
            reasonStart = 15
        } else if m.matches("Disconnecting ", at: 0) {
            // Find "ADDR port N: " from the left of the reason: scan ": " candidates.
            var k = 14
            while let c = m.find(": ", from: k), c < end {
                if let t = trailingAddress(m, end: c), t.start > 14 {
                    e.sourceIP = t.address; e.sourcePort = t.port
                    readDisconnectUser(m, 14, t.start, &e)
                    reasonStart = c + 2
                    break
                }
                k = c + 1
            }
        }
        let reason = m.slice(reasonStart, end)
        if reason.hasPrefix("Too many authentication failures") {
            e.eventType = .login; e.action = "too_many_failures"
            if reason.matches(" for ", at: 32) {
                var us = 37
                if reason.matches("invalid user ", at: us) { e.invalidUser = true; us += 13 }
                if e.user == nil { e.user = user(reason, us, reason.count) }
            }
            if ctx.lastWasMaxAuth {
                // Same event as the "maximum authentication attempts exceeded" line before it.
                e.action = "too_many_failures_repeat"
            } else if e.sourceIP != nil || ctx.source != nil {
                e.outcome = .failure
            } else {
                setPending(&ctx, e.user, invalid: e.invalidUser)
            }
        } else if reason.hasPrefix("Change of username or service not allowed") {
            e.eventType = .login; e.outcome = .failure; e.action = "username_change"
        } else if e.sourceIP == nil, ctx.source == nil, e.user != nil {
            setPending(&ctx, e.user, invalid: e.invalidUser)
        }
    }

    /// "User root from ADDR not allowed because …" / "User root not allowed because …".
    private func notAllowed(_ m: ByteSpan, _ e: inout LogEvent, _ ctx: inout SSHSessionTracker.Context) {
        guard let because = m.findLast(" not allowed because ") else { return }
        e.eventType = .login; e.action = "not_allowed"
        if let fc = fromClause(m.slice(0, because + 20), userStart: 5), fc.userEnd < because {
            e.user = user(m, 5, fc.userEnd)
            e.sourceIP = fc.address; e.sourcePort = fc.port
            e.outcome = .failure
        } else {
            e.user = user(m, 5, because)
            if ctx.source != nil { e.outcome = .failure } else { setPending(&ctx, e.user, invalid: false) }
        }
    }

    /// "PAM: Authentication failure for [illegal user ]X from HOST[ via LOCAL]" and relatives.
    private func pamError(_ m: ByteSpan, _ e: inout LogEvent) {
        e.eventType = .login; e.outcome = .failure; e.action = "pam_failure"
        guard let forAt = m.find(" for ", from: 5) else { return }
        var us = forAt + 5
        if m.matches("illegal user ", at: us) || m.matches("invalid user ", at: us) { e.invalidUser = true; us += 13 }
        if let fc = fromClause(m, userStart: us) {
            e.user = user(m, us, fc.userEnd)
            e.sourceIP = fc.address
        }
    }

    /// Connection-level messages: scanners, protocol errors, negotiation failures.
    private func connectionLevel(_ m: ByteSpan, _ e: inout LogEvent) {
        func failure(_ action: String) { e.eventType = .connection; e.outcome = .failure; e.action = action }
        /// "ADDR[:] port N" from `a`: the address (a colon after it dropped) and the port.
        func addressAndPort(from a: Int) {
            var ae = m.endOfToken(from: a)
            if ae > a, m[ae - 1] == UInt8(ascii: ":") { ae -= 1 }
            e.sourceIP = AddressToken.text(m, a, ae)
            if m.matches(" port ", at: ae) { e.sourcePort = m.digits(at: ae + 6, max: 5)?.value }
        }
        if m.hasPrefix("Did not receive identification string from ") {
            failure("no_identification")
            if let t = trailingAddress(m, end: m.count) { e.sourceIP = t.address; e.sourcePort = t.port }
        } else if m.hasPrefix("Bad protocol version identification ") {
            failure("bad_protocol")
            // The ident is attacker-chosen: the address is the last "from ADDR[ port N]".
            if let t = trailingAddress(m, end: preauthEnd(m).end) { e.sourceIP = t.address; e.sourcePort = t.port }
        } else if m.hasPrefix("Username too long from ") {
            // auth-pam.c: a name longer than PAM takes, sent to crash or probe the server.
            failure("username_too_long")
            if let t = trailingAddress(m, end: preauthEnd(m).end) { e.sourceIP = t.address; e.sourcePort = t.port }
        } else if m.hasPrefix("Protocol major versions differ for ") {
            // An SSH-1 client (nmap's ssh-hostkey script, old scanners) at an SSH-2 server.
            failure("bad_protocol")
            addressAndPort(from: 35)
        } else if m.hasPrefix("Unable to negotiate with ") {
            failure("negotiation_failed")
            addressAndPort(from: 25)
        } else if m.hasPrefix("drop connection #") {
            // OpenSSH 9.8+ PerSourcePenalties: `drop connection #0 from [ADDR]:PORT on [ADDR]:22
            // penalty: failed authentication` — a source refused for what it did before.
            failure("penalty_drop")
            if let f = m.find(" from [", from: 17), let close = m.firstIndex(of: UInt8(ascii: "]"), from: f + 7) {
                e.sourceIP = AddressToken.text(m, f + 7, close)
                if m.at(close + 1) == UInt8(ascii: ":"), let (p, _) = m.digits(at: close + 2, max: 5) { e.sourcePort = p }
            }
        } else if m.hasPrefix("Unable to negotiate") || m.hasPrefix("no matching ") {
            failure("negotiation_failed")
        } else if m.hasPrefix("Timeout before authentication for ") {
            failure("timeout_before_auth")
            var a = 34
            if m.matches("connection from ", at: a) { a += 16 }
            e.sourceIP = AddressToken.text(m, a, m.endOfToken(from: a))
            let ae = m.endOfToken(from: a)
            if m.matches(" port ", at: ae) { e.sourcePort = m.digits(at: ae + 6, max: 5)?.value }
        } else if m.hasPrefix("banner exchange: Connection from ") || m.hasPrefix("ssh_dispatch_run_fatal: Connection from ") {
            failure("protocol_error")
            let a = m.hasPrefix("banner") ? 33 : 40
            let ae = m.endOfToken(from: a)
            e.sourceIP = AddressToken.text(m, a, ae)
            if m.matches(" port ", at: ae), let (p, _) = m.digits(at: ae + 6, max: 5) { e.sourcePort = p }
        } else if m.hasPrefix("kex_exchange_identification: ") || m.hasPrefix("Read from socket failed") {
            failure("protocol_error")
        } else if m.hasPrefix("Magic value check failed") {
            failure("protocol_error")
            if let fc = fromClause(m, userStart: 24) { e.sourceIP = fc.address; e.sourcePort = fc.port }
        } else if m.hasPrefix("Starting session: ") {
            // "Starting session: shell on pts/0 for alice from 10.0.0.5 port 50000 id 0"
            e.eventType = .sessionOpen; e.outcome = .success; e.action = "session_start"
            if let forAt = m.find(" for ", from: 18), let fromAt = m.findLast(" from ") {
                if fromAt > forAt + 5 { e.user = m.string(forAt + 5, fromAt) }
                let a = fromAt + 6
                let ae = m.endOfToken(from: a)
                e.sourceIP = AddressToken.text(m, a, ae)
                if m.matches(" port ", at: ae) { e.sourcePort = m.digits(at: ae + 6, max: 5)?.value }
            }
        } else if m.hasPrefix("Read error from remote host ") {
            e.eventType = .disconnect; e.action = "read_error"
            var ae = m.endOfToken(from: 28)
            if ae > 28, m[ae - 1] == UInt8(ascii: ":") { ae -= 1 }
            e.sourceIP = AddressToken.text(m, 28, ae)
        } else if m.hasPrefix("Timeout, client not responding") {
            e.eventType = .disconnect; e.action = "timeout"
            if let t = trailingAddress(m, end: m.count) { e.sourceIP = t.address; e.sourcePort = t.port }
        }
    }
}
