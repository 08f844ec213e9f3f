import TriplineCore
import Foundation

/// Writes realistic, deterministic auth logs for an organisation of users, admins and service
/// accounts on several hosts, with planted attacks and a labels file:
/// `auth.log` (syslog, RFC 3339 timestamps), `ndjson/events.ndjson` (the prototype's schema, file
/// access included) and `labels/labels.json`.
///
/// Generation walks hour by hour and writes events as soon as they are older than the current
/// hour, so tens of millions of events need no more memory than an hour of them.
public struct AuthLogGenerator {
    /// What was written.
    public struct Result: Sendable {
        public let syslogLines: Int
        public let ndjsonRecords: Int
        public let attacks: Int
        public let files: [String]
    }

    let config: GeneratorConfig

    /// A generator for a configuration.
    public init(config: GeneratorConfig) { self.config = config }

    static let hour: Int64 = 3_600_000_000
    static let day: Int64 = 86_400_000_000

    /// Generates the files.
    public func run() throws -> Result {
        try config.validate()
        let fm = FileManager.default
        try fm.createDirectory(atPath: config.outputDirectory, withIntermediateDirectories: true)
        // The syslog form at the top; its NDJSON twin and the labels in subfolders, so that
        // reading the folder reads each event once and no labels.
        let dir = URL(fileURLWithPath: config.outputDirectory)
        for sub in ["ndjson", "labels"] {
            try fm.createDirectory(at: dir.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        let syslogPath = dir.appendingPathComponent(GeneratorConfig.syslogFile).path
        let ndjsonPath = dir.appendingPathComponent(GeneratorConfig.ndjsonFile).path
        let labelsPath = dir.appendingPathComponent(GeneratorConfig.labelsFile).path

        let sink = try EventSink(syslogPath: syslogPath, ndjsonPath: ndjsonPath)
        var rng = SplitMix64(seed: config.seed)
        let population = Population(users: config.users, rng: &rng)
        var script = SSHScript(sink: sink, rng: SplitMix64(seed: config.seed, stream: 7))
        var labels = GenerationLabels()
        let start = Int64(config.startDay) * AuthLogGenerator.day
        var planner = AttackPlanner(config: config, population: population, start: start)
        let schedule = planner.schedule()
        var behaviour = BenignBehaviour(config: config, population: population, rng: SplitMix64(seed: config.seed, stream: 11))

        var next = 0
        for h in 0..<(config.days * 24) {
            let hourStart = start + Int64(h) * AuthLogGenerator.hour
            behaviour.hour(h, start: hourStart, script: &script, labels: &labels)
            while next < schedule.count, schedule[next].start < hourStart + AuthLogGenerator.hour {
                labels.attacks.append(planner.run(schedule[next], script: &script, index: next + 1))
                next += 1
            }
            try sink.flush(before: hourStart + AuthLogGenerator.hour)
        }
        try sink.finish()
        let labelBytes = labels.json(config: config, syslogLines: sink.syslogLines, records: sink.records)
        let tmp = labelsPath + ".tmp"
        try Data(labelBytes).write(to: URL(fileURLWithPath: tmp))
        if rename(tmp, labelsPath) != 0 { throw GeneratorError.cannotWrite(path: labelsPath) }
        return Result(syslogLines: sink.syslogLines, ndjsonRecords: sink.records, attacks: labels.attacks.count,
                      files: [syslogPath, ndjsonPath, labelsPath])
    }
}

/// What ordinary users, admins and service accounts do, hour by hour.
struct BenignBehaviour {
    let config: GeneratorConfig
    var population: Population
    var rng: SplitMix64
    /// Per-user address for the current day (a new VPN address now and then).
    var todaysAddress: [String: String] = [:]
    /// Extra automation sessions per hour to reach the requested volume.
    let automationPerHour: Double

    static let routineSudo = [
        "/usr/bin/systemctl restart nginx", "/usr/bin/apt-get update", "/usr/bin/journalctl -u nginx --since today",
        "/usr/bin/systemctl status postgresql", "/bin/cat /var/log/nginx/error.log", "/usr/bin/docker ps",
        "/usr/bin/tail -n 200 /var/log/syslog", "/usr/sbin/service cron reload", "/usr/bin/du -sh /var/lib/postgresql",
    ]
    static let serviceSudo = ["/usr/bin/systemctl restart app", "/usr/bin/rsync -a /srv/app/ /srv/app.bak/", "/usr/bin/apt-get -y upgrade"]
    static let shares = ["finance", "hr", "engineering", "sales", "legal", "ops"]

    init(config: GeneratorConfig, population: Population, rng: SplitMix64) {
        self.config = config
        self.population = population
        self.rng = rng
        // A human session averages ~8 syslog lines plus structured records; people start about
        // 0.12 sessions an hour on average over a week.
        let natural = Double(population.people.count) * 0.12 * 9 + Double(population.services.count) * 0.84 * 9
        if let target = config.targetEvents {
            let perHour = Double(target) / Double(config.days * 24)
            automationPerHour = max(0, (perHour - natural) / 8)
        } else {
            automationPerHour = 0
        }
    }

    mutating func hour(_ h: Int, start: Int64, script: inout SSHScript, labels: inout GenerationLabels) {
        let day = h / 24
        let hourOfDay = h % 24
        let weekday = day % 7 // 0 = Monday
        let weekend = weekday >= 5
        if hourOfDay == 0 { newDay(day, start: start, labels: &labels) }

        for i in population.people.indices {
            let p = population.people[i]
            var prob: Double
            let inHours = hourOfDay >= p.workStart && hourOfDay < p.workEnd
            if weekend {
                prob = p.weekendWorker && inHours ? 0.12 : 0.004
            } else {
                prob = inHours ? 0.32 : (hourOfDay >= 19 && hourOfDay <= 22 ? 0.02 : 0.003)
            }
            var onCallNight = false
            if p.onCall, hourOfDay >= 1, hourOfDay <= 4, rng.chance(0.04) {
                prob = 1
                onCallNight = true
            }
            guard rng.chance(prob) else { continue }
            let t = start + Int64(rng.unit() * 3_300_000_000)
            if onCallNight {
                labels.benign.append(.init(kind: "on_call_night_work", user: p.name, sourceIP: todaysAddress[p.name],
                                           time: t, description: "on-call admin fixes something at night, with routine sudo"))
            }
            humanSession(p, at: t, script: &script, labels: &labels)
        }
        for s in population.services {
            // Every service account runs a job most hours, around the clock.
            let jobs = rng.chance(0.7) ? (rng.chance(0.2) ? 2 : 1) : 0
            for _ in 0..<jobs {
                serviceSession(s, at: start + Int64(rng.unit() * 3_500_000_000), script: &script)
            }
        }
        // Volume filler: more of the same automation.
        var extra = automationPerHour
        while extra > 0 {
            if extra < 1, !rng.chance(extra) { break }
            let s = rng.pick(population.services)
            serviceSession(s, at: start + Int64(rng.unit() * 3_500_000_000), script: &script)
            extra -= 1
        }
    }

    private mutating func newDay(_ day: Int, start: Int64, labels: inout GenerationLabels) {
        for p in population.people {
            var addr = rng.chance(0.8) ? p.addresses[0] : p.addresses[1]
            if rng.chance(0.03) {
                // A new VPN lease: unusual address, otherwise an ordinary day.
                addr = "10.8.\(rng.int(16...60)).\(rng.int(2...250))"
                labels.benign.append(.init(kind: "new_vpn_address", user: p.name, sourceIP: addr, time: start,
                                           description: "user's VPN lease changed; the day is otherwise normal"))
            }
            todaysAddress[p.name] = addr
        }
    }

    private mutating func humanSession(_ p: Population.Person, at t0: Int64, script: inout SSHScript, labels: inout GenerationLabels) {
        let host = rng.pick(p.hosts)
        let ip = todaysAddress[p.name] ?? p.addresses[0]
        var t = t0
        let key = p.usesKeys
        if !key, rng.chance(p.typoRate) {
            // A typo, then the right password.
            let pid = script.pid(host)
            let port = rng.int(32768...60999)
            script.emit(t, host, "sshd", pid, "Connection from \(ip) port \(port) on 10.20.0.\(stableHash(host) % 200 + 2) port 22")
            script.failedPassword(user: p.name, valid: true, host: host, ip: ip, port: port, pid: pid, at: t + 300_000)
            labels.benign.append(.init(kind: "typo_then_success", user: p.name, sourceIP: ip, time: t, description: "mistyped password, then logged in"))
            t += SSHScript.sec(4 + rng.unit() * 10)
        }
        let s = script.login(user: p.name, uid: p.uid, host: host, ip: ip, at: t, key: key)
        t = s.t
        let length = SSHScript.sec(300 + rng.unit() * 5400)
        if p.usesSudo, rng.chance(p.role == .admin ? 0.8 : 0.25) {
            for _ in 0..<rng.int(1...4) {
                script.sudo(user: p.name, uid: p.uid, host: host, ip: ip, command: rng.pick(BenignBehaviour.routineSudo),
                            at: t + Int64(rng.unit() * Double(length)))
            }
        }
        let files = rng.int(0...p.fileRate)
        let share = BenignBehaviour.shares[stableHash(p.name) % BenignBehaviour.shares.count]
        for _ in 0..<files {
            script.fileAccess(user: p.name, host: "files-01", ip: ip, path: "/srv/share/\(share)/doc\(rng.int(1...400)).\(rng.pick(["xlsx", "docx", "pdf", "csv"]))",
                              action: rng.chance(0.8) ? "read" : "write", bytes: rng.int(2_000...4_000_000), at: t + Int64(rng.unit() * Double(length)))
        }
        script.logout(user: p.name, host: host, ip: ip, port: s.port, pid: s.pid, at: t + length)
    }

    private mutating func serviceSession(_ s: Population.Person, at t0: Int64, script: inout SSHScript) {
        let host = s.hosts[rng.chance(0.85) ? 0 : 1]
        let ip = s.addresses[0]
        let sess = script.login(user: s.name, uid: s.uid, host: host, ip: ip, at: t0, key: true)
        var t = sess.t
        if s.usesSudo, rng.chance(0.5) {
            script.sudo(user: s.name, uid: s.uid, host: host, ip: ip, command: rng.pick(BenignBehaviour.serviceSudo), at: t + 500_000)
        }
        t += SSHScript.sec(2 + rng.unit() * 40)
        if rng.chance(0.3) {
            script.fileAccess(user: s.name, host: host, ip: ip, path: "/srv/backup/\(s.name)/chunk\(rng.int(1...50)).tar",
                              action: "write", bytes: rng.int(1_000_000...50_000_000), at: t - 1_000_000)
        }
        script.logout(user: s.name, host: host, ip: ip, port: sess.port, pid: sess.pid, at: t)
    }
}
