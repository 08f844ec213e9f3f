import TriplineCore
/// The people and machines in a generated organisation: who logs in where, when and how.
struct Population {
    enum Role: String { case regular, admin, service, remote }

    struct Person {
        let name: String
        let uid: Int
        let role: Role
        /// Where they usually come from (office, VPN or home addresses).
        var addresses: [String]
        /// Hosts they log in to.
        let hosts: [String]
        /// Usual working hours (local), inclusive start, exclusive end.
        let workStart: Int
        let workEnd: Int
        /// Works on weekends now and then.
        let weekendWorker: Bool
        /// Runs sudo as part of the job.
        let usesSudo: Bool
        /// Typo rate on password logins.
        let typoRate: Double
        /// Prefers keys over passwords.
        let usesKeys: Bool
        /// Files touched on a normal working hour (structured form only).
        let fileRate: Int
        /// On call: now and then works at night.
        let onCall: Bool
    }

    let hosts = ["web-01", "web-02", "db-01", "bastion-01", "build-01", "files-01"]
    var people: [Person] = []
    var services: [Person] = []

    static let firstNames = [
        "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory",
        "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter", "xena", "yusuf",
        "zoe", "amir", "bea", "chen", "dmitri", "elena", "farid", "gita", "hugo", "ines", "jonas",
        "kofi", "lena", "mateo", "nora", "omar", "priya", "quinn", "rosa", "sven", "tariq", "uma",
        "vera", "wen", "ximena", "yara", "zane",
    ]

    init(users: Int, rng: inout SplitMix64) {
        var names: [String] = []
        for i in 0..<users {
            let base = Population.firstNames[i % Population.firstNames.count]
            names.append(i < Population.firstNames.count ? base : "\(base)\(i / Population.firstNames.count + 1)")
        }
        for (i, name) in names.enumerated() {
            let role: Role
            if i < max(2, users / 8) { role = .admin }
            else if i % 5 == 4 { role = .remote }
            else { role = .regular }
            let office = "10.20.\(rng.int(1...30)).\(rng.int(10...250))"
            let vpn = "10.8.\(rng.int(0...15)).\(rng.int(2...250))"
            // Remote workers come from home broadband (public addresses), not only the VPN.
            let home = "\(rng.pick([73, 81, 86, 94, 109, 151, 176, 188])).\(rng.int(1...254)).\(rng.int(1...254)).\(rng.int(1...254))"
            var addrs = [office, vpn]
            if role == .remote { addrs = [home, vpn] }
            let nHosts = role == .admin ? hosts.count : rng.int(1...3)
            var hs: [String] = []
            var pool = hosts
            for _ in 0..<nHosts {
                let k = rng.int(0...(pool.count - 1))
                hs.append(pool.remove(at: k))
            }
            let start = rng.int(7...10)
            people.append(Person(
                name: name, uid: 1000 + i, role: role, addresses: addrs, hosts: hs,
                workStart: start, workEnd: start + rng.int(8...10), weekendWorker: rng.chance(0.15),
                usesSudo: role == .admin || rng.chance(0.2), typoRate: rng.chance(0.3) ? 0.15 : 0.03,
                usesKeys: rng.chance(0.6), fileRate: rng.int(2...20), onCall: role == .admin && rng.chance(0.7)))
        }
        let svc: [(String, String)] = [("svc_backup", "db-01"), ("svc_deploy", "web-01"), ("svc_monitor", "web-02"), ("jenkins", "build-01"), ("ansible", "files-01")]
        for (i, (name, host)) in svc.enumerated() {
            services.append(Person(
                name: name, uid: 900 + i, role: .service, addresses: ["10.20.99.\(10 + i)"],
                hosts: [host, hosts[(i + 2) % hosts.count]], workStart: 0, workEnd: 24, weekendWorker: true,
                usesSudo: name == "ansible" || name == "svc_deploy", typoRate: 0, usesKeys: true, fileRate: 30, onCall: false))
        }
    }
}
