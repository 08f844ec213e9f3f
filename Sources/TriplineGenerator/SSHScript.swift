import TriplineCore
/// Writes the lines real services log for one action: an ssh login with its PAM and logind
/// companions, a failed password, sudo, su, a logout. Used by benign behaviour and attacks alike
/// so both look the same on the wire.
struct SSHScript {
    let sink: EventSink
    var pids: [String: Int] = [:]
    var logindSession = 1
    var rng: SplitMix64

    mutating func pid(_ host: String) -> Int {
        let p = pids[host, default: 1000 + stableHash(host) % 500]
        pids[host] = p + rng.int(1...40)
        return p
    }

    func emit(_ t: Int64, _ host: String, _ prog: String?, _ pid: Int, _ msg: String, _ rec: GeneratedEvent.Record? = nil) {
        sink.add(GeneratedEvent(time: t, host: host, program: prog, pid: pid, message: msg, record: rec))
    }

    static func sec(_ s: Double) -> Int64 { Int64(s * 1_000_000) }

    private mutating func fingerprint() -> String {
        let chars = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        return String((0..<43).map { _ in rng.pick(chars) })
    }

    /// A successful ssh login with its session; returns the session's sshd pid and the time after.
    mutating func login(user: String, uid: Int, host: String, ip: String, at t0: Int64, key: Bool) -> (pid: Int, port: Int, t: Int64) {
        let p = pid(host)
        let port = rng.int(32768...60999)
        var t = t0
        emit(t, host, "sshd", p, "Connection from \(ip) port \(port) on 10.20.0.\(stableHash(host) % 200 + 2) port 22")
        t += SSHScript.sec(0.05 + rng.unit() * 0.3)
        let msg = key
            ? "Accepted publickey for \(user) from \(ip) port \(port) ssh2: ED25519 SHA256:\(fingerprint())"
            : "Accepted password for \(user) from \(ip) port \(port) ssh2"
        emit(t, host, "sshd", p, msg, .init(user: user, sourceIP: ip, eventType: "login", action: "success",
                                             extra: [("auth_method", key ? "publickey" : "password")]))
        t += SSHScript.sec(0.01)
        emit(t, host, "sshd", p, "pam_unix(sshd:session): session opened for user \(user)(uid=\(uid)) by (uid=0)")
        emit(t + 20_000, host, "systemd-logind", 612, "New session \(logindSession) of user \(user).")
        logindSession += 1
        return (p, port, t + 30_000)
    }

    /// One failed password (with PAM's line), as sshd logs it for a valid or invalid user.
    mutating func failedPassword(user: String, valid: Bool, host: String, ip: String, port: Int, pid p: Int, at t: Int64) {
        if valid {
            emit(t, host, "sshd", p, "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=\(ip)  user=\(user)")
        }
        // One structured record per attempt: for an unknown account it was written with the
        // "Invalid user" line.
        emit(t + SSHScript.sec(1.5 + rng.unit()), host, "sshd", p,
             "Failed password for \(valid ? "" : "invalid user ")\(user) from \(ip) port \(port) ssh2",
             valid ? .init(user: user, sourceIP: ip, eventType: "login", action: "failed", extra: [("auth_method", "password")]) : nil)
    }

    /// "Invalid user X from IP port P", sshd's first line for an unknown account.
    func invalidUser(user: String, host: String, ip: String, port: Int, pid p: Int, at t: Int64) {
        emit(t, host, "sshd", p, "Invalid user \(user) from \(ip) port \(port)",
             .init(user: user, sourceIP: ip, eventType: "login", action: "failed"))
    }

    /// The end of a pre-authentication connection.
    func closedPreauth(user: String?, valid: Bool, host: String, ip: String, port: Int, pid p: Int, at t: Int64) {
        if let user {
            emit(t, host, "sshd", p, "Connection closed by \(valid ? "authenticating" : "invalid") user \(user) \(ip) port \(port) [preauth]")
        } else {
            emit(t, host, "sshd", p, "Connection closed by \(ip) port \(port) [preauth]")
        }
    }

    /// The end of a logged-in session.
    func logout(user: String, host: String, ip: String, port: Int, pid p: Int, at t: Int64) {
        emit(t, host, "sshd", p, "Received disconnect from \(ip) port \(port):11: disconnected by user")
        emit(t + 2_000, host, "sshd", p, "Disconnected from user \(user) \(ip) port \(port)",
             .init(user: user, sourceIP: ip, eventType: "logout", action: "success"))
        emit(t + 4_000, host, "sshd", p, "pam_unix(sshd:session): session closed for user \(user)")
        emit(t + 9_000, host, "systemd-logind", 612, "Removed session \(logindSession - 1).")
    }

    /// A sudo command that ran.
    mutating func sudo(user: String, uid: Int, host: String, ip: String?, command: String, at t: Int64) {
        let p = pid(host)
        emit(t, host, "sudo", p, "\(user) : TTY=pts/\(rng.int(0...5)) ; PWD=/home/\(user) ; USER=root ; COMMAND=\(command)",
             .init(user: user, sourceIP: ip, eventType: "sudo", action: "success", extra: [("target_user", "root"), ("command", command)]))
        emit(t + 1_000, host, "sudo", p, "pam_unix(sudo:session): session opened for user root(uid=0) by \(user)(uid=\(uid))")
        emit(t + SSHScript.sec(0.5 + rng.unit() * 20), host, "sudo", p, "pam_unix(sudo:session): session closed for user root")
    }

    /// A refused sudo: wrong passwords or not in sudoers.
    mutating func sudoRefused(user: String, host: String, ip: String?, command: String, notInSudoers: Bool, at t: Int64) {
        let p = pid(host)
        let tty = "pts/\(rng.int(0...5))"
        if notInSudoers {
            emit(t, host, "sudo", p, "\(user) : user NOT in sudoers ; TTY=\(tty) ; PWD=/home/\(user) ; USER=root ; COMMAND=\(command)",
                 .init(user: user, sourceIP: ip, eventType: "sudo", action: "denied", extra: [("target_user", "root"), ("command", command)]))
        } else {
            emit(t, host, "sudo", p, "pam_unix(sudo:auth): authentication failure; logname=\(user) uid=\(1000) euid=0 tty=/dev/\(tty) ruser=\(user) rhost=  user=\(user)")
            emit(t + SSHScript.sec(8), host, "sudo", p, "\(user) : 3 incorrect password attempts ; TTY=\(tty) ; PWD=/home/\(user) ; USER=root ; COMMAND=\(command)",
                 .init(user: user, sourceIP: ip, eventType: "sudo", action: "failed", extra: [("target_user", "root"), ("command", command)]))
        }
    }

    /// A failed su to root.
    mutating func suFailed(user: String, uid: Int, host: String, ip: String?, at t: Int64) {
        let p = pid(host)
        emit(t, host, "su", p, "pam_unix(su:auth): authentication failure; logname=\(user) uid=\(uid) euid=0 tty=pts/1 ruser=\(user) rhost=  user=root")
        emit(t + SSHScript.sec(2), host, "su", p, "FAILED su for root by \(user)",
             .init(user: user, sourceIP: ip, eventType: "su", action: "failed", extra: [("target_user", "root")]))
    }

    /// A file access (structured form only: syslog auth logs do not carry these).
    func fileAccess(user: String, host: String, ip: String, path: String, action: String, bytes: Int, at t: Int64) {
        emit(t, host, nil, 0, "\(action) \(path)",
             .init(user: user, sourceIP: ip, eventType: "file_access", action: action, extra: [("resource", path), ("bytes", String(bytes))]))
    }
}

/// A hash of a string that is the same in every process (Swift's `hashValue` is not).
func stableHash(_ s: String) -> Int {
    var h: UInt64 = 1469598103934665603
    for b in s.utf8 { h = (h ^ UInt64(b)) &* 1099511628211 }
    return Int(h % 1_000_000_007)
}
