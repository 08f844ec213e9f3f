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
    /// Leave out the events of the incidents the rules find in the training data (see
    /// ``TrainingExclusion``).
    public var excludeIncidents = true
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
        let (files, found, _) = LogReader.expandFindingHosts(paths)
        var reader = reader.withFolderHosts(files, found: found)
        reader.options.keepsMessages = false  // training reads none (see ParseOptions)
        // A first pass when the input can be read twice: the earliest time (for the cut-off of
        // --baseline-days) and the incidents the rules find.
        var cutoff: Int64?
        var exclusion: TrainingExclusion?
        var earliest = Int64.max, latest = Int64.min
        if !files.contains("-"), excludeIncidents || config.baselineDays != nil {
            if excludeIncidents { progress?(Progress(events: 0, phase: "finding incidents")) }
            var detector = Detector(model: nil, config: config)
            // The incidents as they close, only what exclusion needs of them (not kept whole
            // to the end: years of a server's logs hold hundreds of thousands).
            var found: [TrainingExclusion.Found] = []
            let days = config.baselineDays
            // The end of the period trained on: `days` after the earliest time seen so far.
            func periodEnd() -> Int64? {
                guard let days, earliest != .max else { return nil }
                return earliest + micros(days * 86_400)
            }
            detector.handsClosedIncidents = { a in
                // One that begins after the period trained on is not needed: that period's end
                // only comes earlier as the pass goes on (a year of history trained on its
                // first week keeps that week's incidents).
                if let end = periodEnd(), a.start.microseconds >= end { return }
                if let f = TrainingExclusion.Found(a) { found.append(f) }
            }
            var window = ReorderWindow(seconds: reader.options.reorderSeconds)
            let rules = excludeIncidents
            _ = reader.readMerged(paths: files) { e in
                let t = e.timestamp.microseconds
                earliest = min(earliest, t)
                latest = max(latest, t)
                if rules { window.push(e) { detector.process($0) } }
            }
            cutoff = periodEnd()
            if rules {
                window.flush { detector.process($0) }
                _ = detector.finish()
                // Those that began in the period trained on.
                exclusion = TrainingExclusion(found.filter { $0.from < cutoff ?? .max })
            }
        }
        // Incidents only a model can see (a takeover, a service account's misuse) are looked
        // for by cross-fitting: each half of the training period is analysed with a model
        // trained on the other half, which has not learnt them.
        let end = min(cutoff ?? .max, latest == .min ? .min : latest + 1)
        if var x = exclusion, end > earliest, end - earliest >= micros(Trainer.crossFitMinimumDays * 86_400) {
            progress?(Progress(events: 0, phase: "finding incidents a model sees"))
            let mid = earliest + (end - earliest) / 2
            // Both halves' baselines from one read of the files (each event goes to its half's).
            let halves = fit(files: files, ranges: [earliest..<mid, mid..<end], started: started, progress: nil, exclusion: x) { add in
                reader.read(paths: files, add).problemLines
            }
            // The first half analysed with the second half's model, and the other way round.
            var detectors = [Detector(model: halves[1], config: config), Detector(model: halves[0], config: config)]
            var found: [TrainingExclusion.Found] = []
            for k in 0..<2 {
                detectors[k].handsClosedIncidents = { if let f = TrainingExclusion.Found($0, kinds: Trainer.modelKinds) { found.append(f) } }
            }
            var windows = [ReorderWindow(seconds: reader.options.reorderSeconds), ReorderWindow(seconds: reader.options.reorderSeconds)]
            _ = reader.readMerged(paths: files) { e in
                let t = e.timestamp.microseconds
                guard t < end else { return }
                let k = t < mid ? 0 : 1
                windows[k].push(e) { detectors[k].process($0) }
            }
            for k in 0..<2 {
                windows[k].flush { detectors[k].process($0) }
                _ = detectors[k].finish()
            }
            x.add(found)
            exclusion = x
        }
        var summary = ParseSummary()
        let model = fit(files: files, ranges: [nil], cutoff: cutoff, started: started, progress: progress, exclusion: exclusion) { add in
            summary = reader.read(paths: files, add)
            return summary.problemLines
        }[0]
        return (model, summary)
    }

    /// The shortest training period in which incidents only a model sees are looked for (each
    /// half must hold enough of people's habits to judge the other).
    static let crossFitMinimumDays = 4.0
    /// The kinds found by cross-fitting (the rules alone find the others).
    static let modelKinds: Set<AnomalyKind> = [.accountTakeover, .serviceAccountMisuse, .bulkDataAccess]

    /// Trains on events already in memory (the dashboard's recent history when it reads a pipe);
    /// `label` names where they came from in the model's training info.
    public func train(events: [LogEvent], label: String, progress: ((Progress) -> Void)? = nil) -> TriplineModel {
        let exclusion = excludeIncidents ? TrainingExclusion(Analysis.run(events: events, model: nil, config: config).anomalies) : nil
        return fit(files: [label], ranges: [nil], cutoff: nil, started: Date(), progress: progress, exclusion: exclusion) { add in
            for e in events { add(e) }
            return 0
        }[0]
    }

    /// The pass the entry points share: `feed` hands every event to `add` and returns the number
    /// of lines it skipped. One model per range of times (nil: all of them), each from the events
    /// in its range, fed by one read: the ranges do not overlap.
    private func fit(files: [String], ranges: [Range<Int64>?], cutoff initialCutoff: Int64? = nil, started: Date, progress: ((Progress) -> Void)?,
                     exclusion: TrainingExclusion?, feed: (_ add: (consuming LogEvent) -> Void) -> Int) -> [TriplineModel] {
        var cutoff = initialCutoff
        var builders = ranges.map { _ in BaselineBuilder(seed: seed, reservoirSize: reservoirSize) }
        // Each range counts the events it leaves out (its model records them).
        var exclusions = ranges.map { _ in exclusion }
        var firstSeen: Int64?
        var count = 0
        let skipped = feed { e in
            if cutoff == nil, let days = config.baselineDays, firstSeen == nil {
                // Standard input: the first event starts the baseline period.
                cutoff = e.timestamp.microseconds + micros(days * 86_400)
            }
            if firstSeen == nil { firstSeen = e.timestamp.microseconds }
            let t = e.timestamp.microseconds
            if let c = cutoff, t >= c { return }
            guard let k = ranges.firstIndex(where: { $0?.contains(t) ?? true }) else { return }
            if exclusions[k]?.excludes(e) == true { return }
            builders[k].add(e)
            count += 1
            if count % 500_000 == 0 { progress?(Progress(events: count, phase: "reading")) }
        }
        progress?(Progress(events: count, phase: "fitting"))
        // Each model in turn, its builder let go before the next is fitted.
        var models: [TriplineModel] = []
        for k in builders.indices {
            var b = BaselineBuilder(seed: seed, reservoirSize: 0)
            swap(&b, &builders[k])
            models.append(model(from: &b, files: files, skipped: skipped, started: started, exclusion: exclusions[k]))
        }
        return models
    }

    /// The model of what `b` gathered: its baselines, and the forest fitted on its reservoir.
    private func model(from b: inout BaselineBuilder, files: [String], skipped: Int, started: Date, exclusion: TrainingExclusion?) -> TriplineModel {
        let (users, sources, hosts, global) = b.finish()
        let samples = b.reservoir.map { p in FeatureExtractor.features(p, baseline: users[p.user ?? ""]) }
        var forest: IsolationForest?
        if samples.count >= 2 {
            forest = IsolationForest(data: samples, nEstimators: 100, maxSamples: 256, contamination: config.contamination, seed: seed)
        }
        let info = TrainingInfo(
            files: files, events: b.events, skippedLines: skipped,
            from: b.first.map { Timestamp(microseconds: $0).iso8601 }, to: b.last.map { Timestamp(microseconds: $0).iso8601 },
            baselineDays: config.baselineDays, seconds: Date().timeIntervalSince(started), scoredEvents: b.scored,
            excluded: exclusion?.record)
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
    var users: [String: UserBaseline] = [:]
    var userDays: [String: Set<Int>] = [:]
    /// (user, kind) → hour index → count
    /// (Hours since the epoch and their counts in 32 bits each: a year of 2,000 people's
    /// active hours is millions of entries. Parsed times stay below 10^17 microseconds, 28
    /// million hours; a count saturates.)
    var volume: [String: [String: [Int32: UInt32]]] = [:]
    var sources: [String: SourceBaseline] = [:]
    var hosts: [String: HostBaseline] = [:]
    /// The events the forest is fitted on (what their features are made of: the features
    /// themselves need the finished baselines).
    var reservoir: [FeatureExtractor.Point] = []
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
                volume[user, default: [:]][e.eventType.rawValue, default: [:]][Int32(clamping: secs / 3600), default: 0].add(saturating: n)
            }
        }
        users[user] = u
        sample(e, w)
    }

    private mutating func sample(_ e: LogEvent, _ w: DetectionWindows.Counts) {
        guard FeatureExtractor.isScored(e) else { return }
        scored += 1
        let s = FeatureExtractor.Point(e, sourceFailures10m: w.sourceFailures10m, userKindEventsLastHour: w.userKindLastHour)
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
            // day, from a fixed place, on few hosts, whatever it logs in with (many use
            // passwords). People, even on-call admins, sleep most nights.
            let logins = u.methods.values.reduce(0, +)
            let keyShare = logins > 0 ? Double(u.methods["publickey", default: 0]) / Double(logins) : 0
            let total = max(1, u.hours.reduce(0, +))
            let night = Double(u.hours[0..<6].reduce(0, +)) / Double(total)
            // Days the training data spans (a day from 00:13 to 00:13 touches two dates but is one day).
            let spanDays = max(1, (Double((last ?? 0) - (first ?? 0)) / 86_400_000_000).rounded())
            let fewSources = u.sources.count <= 3
            let aroundTheClock = logins >= 10 && u.activeHoursOfDay >= 18 && night >= 0.12
                && Double(u.activeDays) >= max(1, 0.7 * min(spanDays, Double(allDays.count)))
            // Periodic: every hour of the day about as busy as the others (a job on a timer),
            // where a person's day has a peak.
            let busiest = Double(u.hours.max() ?? 0), mean = Double(total) / 24
            let periodic = u.activeHoursOfDay >= 20 && busiest <= 3 * mean
            // A short history shows little of a day's rhythm; the account's name says what it is
            // for (`svc_backup`, `jenkins`), as admins name them, when it also logs in like one.
            let namedLikeOne = logins >= 3 && UserBaseline.isServiceAccountName(name)
            let byKeys = keyShare >= 0.95 && fewSources && (aroundTheClock || namedLikeOne)
            // Without keys the rest of its behaviour must say so: a timer's rhythm, or the name
            // and a single place, on few hosts.
            let byBehaviour = fewSources && u.hosts.count <= 3 && ((aroundTheClock && periodic) || (namedLikeOne && u.sources.count <= 1))
            u.isServiceAccount = byKeys || byBehaviour
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

extension UInt32 {
    /// Adds `n` (at least 0), stopping at the largest value.
    fileprivate mutating func add(saturating n: Int) {
        self = n >= Int(UInt32.max) ? .max : UInt32(clamping: Int(self) + n)
    }
}
