import Foundation

/// Learns a ``TriplineModel`` from logs in one streaming pass: per-user, per-source and per-host
/// baselines, and an isolation forest over a reservoir sample of per-event features (memory
/// stays flat however large the input).
public struct Trainer {
    /// Thresholds to store in the model (and `contamination` / `baselineDays` to train with).
    public var config: DetectionConfig
    /// Seed for sampling and the forest.
    public var seed: UInt64
    /// Events kept for the forest.
    public var reservoirSize = 100_000
    /// Sources and hosts remembered per user, and users per source/host.
    static let perEntityCap = 200
    /// Sources remembered overall.
    static let sourceCap = 100_000

    public init(config: DetectionConfig = DetectionConfig(), seed: UInt64 = 42) {
        self.config = config
        self.seed = seed
    }

    /// Progress while training.
    public struct Progress: Sendable {
        public var events: Int
        public var phase: String
    }

    /// Trains on the files (folders expanded) read by `reader`.
    public func train(paths: [String], reader: LogReader, progress: ((Progress) -> Void)? = nil) -> (TriplineModel, ParseSummary) {
        let started = Date()
        let (files, found) = LogReader.expandFindingHosts(paths)
        let reader = reader.withFolderHosts(files, found: found)
        // The cut-off for --baseline-days needs the earliest time: a quick first pass when the
        // input can be read twice.
        var cutoff: Int64?
        if let days = config.baselineDays {
            var earliest = Int64.max
            if !files.contains("-") {
                _ = reader.read(paths: files) { e in earliest = min(earliest, e.timestamp.microseconds) }
            }
            if earliest != Int64.max { cutoff = earliest + micros(days * 86_400) }
            else { cutoff = nil }
        }
        var summary = ParseSummary()
        let model = fit(files: files, cutoff: cutoff, started: started, progress: progress) { add in
            summary = reader.read(paths: files, add)
            return summary.problemLines
        }
        return (model, summary)
    }

    /// Trains on events already in memory (the dashboard's recent history when it reads a pipe);
    /// `label` names where they came from in the model's training info.
    public func train(events: [LogEvent], label: String, progress: ((Progress) -> Void)? = nil) -> TriplineModel {
        fit(files: [label], cutoff: nil, started: Date(), progress: progress) { add in
            for e in events { add(e) }
            return 0
        }
    }

    /// The pass both entry points share: `feed` hands every event to `add` and returns the number
    /// of lines it skipped.
    private func fit(files: [String], cutoff initialCutoff: Int64?, started: Date, progress: ((Progress) -> Void)?,
                     feed: (_ add: (LogEvent) -> Void) -> Int) -> TriplineModel {
        var cutoff = initialCutoff
        var b = BaselineBuilder(seed: seed, reservoirSize: reservoirSize)
        var firstSeen: Int64?
        var count = 0
        let skipped = feed { e in
            if cutoff == nil, let days = config.baselineDays, firstSeen == nil {
                // Standard input: the first event starts the baseline period.
                cutoff = e.timestamp.microseconds + micros(days * 86_400)
            }
            if firstSeen == nil { firstSeen = e.timestamp.microseconds }
            if let c = cutoff, e.timestamp.microseconds >= c { return }
            b.add(e)
            count += 1
            if count % 500_000 == 0 { progress?(Progress(events: count, phase: "reading")) }
        }
        progress?(Progress(events: count, phase: "fitting"))
        let (users, sources, hosts, global) = b.finish()
        let samples = b.reservoir.map { s in
            FeatureExtractor.features(s.event, baseline: users[s.event.user ?? ""], sourceFailures10m: s.sourceFailures, userKindEventsLastHour: s.userKindEvents)
        }
        var forest: IsolationForest?
        if samples.count >= 2 {
            forest = IsolationForest(data: samples, nEstimators: 100, maxSamples: 256, contamination: config.contamination, seed: seed)
        }
        let info = TrainingInfo(
            files: files, events: b.events, skippedLines: skipped,
            from: b.first.map { Timestamp(microseconds: $0).iso8601 }, to: b.last.map { Timestamp(microseconds: $0).iso8601 },
            baselineDays: config.baselineDays, seconds: Date().timeIntervalSince(started), scoredEvents: b.scored)
        var networks: [String: Int] = [:]
        for u in users.values { for n in u.networks.keys { networks[n, default: 0] += 1 } }
        return TriplineModel(
            createdAt: Timestamp(seconds: Date().timeIntervalSince1970).iso8601, triplineVersion: TriplineBuild.version,
            training: info, config: config, features: FeatureExtractor.names, forest: forest,
            users: users, sources: sources, hosts: hosts, globalVolume: global, networks: networks)
    }
}

/// Accumulates baselines event by event.
struct BaselineBuilder {
    struct Sample {
        var event: LogEvent
        var sourceFailures: Double
        var userKindEvents: Double
    }

    var users: [String: UserBaseline] = [:]
    var userDays: [String: Set<Int>] = [:]
    /// (user, kind) → hour index → count
    var volume: [String: [String: [Int64: Int]]] = [:]
    var sources: [String: SourceBaseline] = [:]
    var hosts: [String: HostBaseline] = [:]
    var reservoir: [Sample] = []
    let reservoirSize: Int
    var rng: SplitMix64
    var events = 0
    var scored = 0
    var first: Int64?
    var last: Int64?
    var allDays = Set<Int>()
    var windows = DetectionWindows()

    init(seed: UInt64, reservoirSize: Int) {
        rng = SplitMix64(seed: seed, stream: 5)
        self.reservoirSize = reservoirSize
    }

    mutating func add(_ event: LogEvent) {
        if let e = windows.withCanonicalSource(event) { addCanonical(e) } else { addCanonical(event) }
    }

    private mutating func addCanonical(_ e: LogEvent) {
        // A repeated line ("message repeated N times") counts N times in every habit.
        let n = e.repeatCount
        events += n
        let t = e.timestamp.microseconds
        first = min(first ?? t, t)
        last = max(last ?? t, t)
        let secs = e.timestamp.wholeSeconds
        let day = Int((secs >= 0 ? secs : secs - 86_399) / 86_400)
        let hour = Int(((secs % 86_400) + 86_400) % 86_400 / 3600)
        allDays.insert(day)
        let w = windows.observe(e)

        if let host = e.host {
            var h = hosts.removeValue(forKey: host) ?? HostBaseline() // out of the table while changed: no copy
            h.events += n
            h.hours[hour] += n
            if let u = e.user, h.users[u] != nil || h.users.count < Trainer.perEntityCap { h.users[u, default: 0] += n }
            hosts[host] = h
        }
        if let s = e.sourceIP, sources[s] != nil || sources.count < Trainer.sourceCap {
            var sb = sources.removeValue(forKey: s) ?? SourceBaseline()
            sb.events += n
            if e.outcome == .failure { sb.failures += n }
            if let u = e.user, sb.users[u] != nil || sb.users.count < Trainer.perEntityCap { sb.users[u, default: 0] += n }
            sources[s] = sb
        }
        guard let user = e.user, !e.invalidUser else {
            sample(e, w)
            return
        }
        // Only what the user did counts towards their habits: failures (by them or anyone
        // guessing their name) say nothing about where they work from.
        var u = users.removeValue(forKey: user) ?? UserBaseline()
        u.events += n
        u.eventTypes[e.eventType.rawValue, default: 0] += n
        if e.outcome == .failure {
            u.failures += n
        } else if e.eventType != .disconnect, e.eventType != .connection {
            u.hours[hour] += n
            if day % 7 == 2 || day % 7 == 3 { u.weekendEvents += n } // days since epoch: 2 = Saturday, 3 = Sunday
            if let s = e.sourceIP {
                if u.sources[s] != nil || u.sources.count < Trainer.perEntityCap { u.sources[s, default: 0] += n }
                u.networks[networkPrefix(s), default: 0] += n
            }
            if let h = e.host, u.hosts[h] != nil || u.hosts.count < Trainer.perEntityCap { u.hosts[h, default: 0] += n }
            if e.eventType == .login, e.outcome == .success, let m = e.authMethod { u.methods[m, default: 0] += n }
            if e.eventType == .sudo, e.outcome == .success { u.sudoCount += n }
            userDays[user, default: []].insert(day)
            if FeatureExtractor.isScored(e) {
                volume[user, default: [:]][e.eventType.rawValue, default: [:]][secs / 3600, default: 0] += n
            }
        }
        users[user] = u
        sample(e, w)
    }

    private mutating func sample(_ e: LogEvent, _ w: DetectionWindows.Counts) {
        guard FeatureExtractor.isScored(e) else { return }
        scored += 1
        let s = Sample(event: e, sourceFailures: w.sourceFailures10m, userKindEvents: w.userKindLastHour)
        if reservoir.count < reservoirSize {
            reservoir.append(s)
        } else {
            let j = Int(rng.next() % UInt64(scored))
            if j < reservoirSize { reservoir[j] = s }
        }
    }

    mutating func finish() -> ([String: UserBaseline], [String: SourceBaseline], [String: HostBaseline], [String: HourlyVolume]) {
        var globalCounts: [String: [Double]] = [:]
        for (name, var u) in users {
            u.activeDays = userDays[name]?.count ?? 0
            for (kind, hours) in volume[name] ?? [:] {
                let counts = hours.values.map(Double.init).sorted()
                u.hourlyVolume[kind] = HourlyVolume(p95: IsolationForest.percentile(counts, 95), max: counts.last ?? 0)
                globalCounts[kind, default: []] += counts
            }
            // A service account works around the clock: night hours as busy as the day, every
            // day, with keys, from a fixed place. People, even on-call admins, sleep most nights.
            let logins = u.methods.values.reduce(0, +)
            let keyShare = logins > 0 ? Double(u.methods["publickey", default: 0]) / Double(logins) : 0
            let total = max(1, u.hours.reduce(0, +))
            let night = Double(u.hours[0..<6].reduce(0, +)) / Double(total)
            // Days the training data spans (a day from 00:13 to 00:13 touches two dates but is one day).
            let spanDays = max(1, (Double((last ?? 0) - (first ?? 0)) / 86_400_000_000).rounded())
            let automated = keyShare >= 0.95 && u.sources.count <= 3
            let aroundTheClock = logins >= 10 && u.activeHoursOfDay >= 18 && night >= 0.12
                && Double(u.activeDays) >= max(1, 0.7 * min(spanDays, Double(allDays.count)))
            // A short history shows little of a day's rhythm; the account's name says what it is
            // for (`svc_backup`, `jenkins`), as admins name them, when it also logs in like one.
            let namedLikeOne = logins >= 3 && UserBaseline.isServiceAccountName(name)
            u.isServiceAccount = automated && (aroundTheClock || namedLikeOne)
            users[name] = u
        }
        var global: [String: HourlyVolume] = [:]
        for (kind, counts) in globalCounts {
            let sorted = counts.sorted()
            global[kind] = HourlyVolume(p95: IsolationForest.percentile(sorted, 95), max: sorted.last ?? 0)
        }
        return (users, sources, hosts, global)
    }
}
