import Foundation
import TriplineCore

/// The live engine behind the dashboard: follows files (or replays one), feeds every event to
/// the same ``Detector`` `tripline analyze` uses, keeps bounded state (the newest anomalies and
/// recent events), publishes an ``EngineSnapshot`` a few times a second, answers drill-down
/// requests and retrains in the background.
public actor DetectionEngine {
    /// How to run.
    public struct Options: Sendable {
        public var paths: [String]
        public var fromStart = false
        /// Replay the files with their original timing sped up this many times.
        public var replaySpeed: Double?
        /// Where a replay starts being timed: what comes before is read at once (the history the
        /// detector learns from), then the rest with its own timing.
        public var replayFrom: Timestamp?
        public var parse = ParseOptions()
        public var format: LogFormat?
        public var modelDirectory: String
        /// A config file's detection settings, laid over the model in use (also after `R`).
        public var overrides = DetectionOverrides()
        /// Anomalies kept for the feed.
        public var maxAnomalies = 500
        /// Events kept for drill-down.
        public var recentEvents = 5000
        /// Sees every new or changed anomaly as the detector reports it (alerting hangs off it).
        public var onAnomalies: (@Sendable ([Anomaly]) -> Void)?

        public init(paths: [String], modelDirectory: String) {
            self.paths = paths
            self.modelDirectory = modelDirectory
        }
    }

    /// The latest snapshot (read by the UI whenever it likes).
    public nonisolated let snapshots = SharedBox(EngineSnapshot())
    /// A drill-down request.
    public struct EntityRequest: Sendable, Equatable {
        public var kind: EntityDetails.Kind
        public var name: String
        public init(kind: EntityDetails.Kind, name: String) { self.kind = kind; self.name = name }
    }

    let options: Options
    var detector: Detector
    /// The model in use and why there is none, when there is none.
    var slot: ModelSlot
    var model: TriplineModel? { slot.model }
    let follower: FileFollower?
    var replay: [LogEvent] = []
    /// Hosts the events came from (up to ``EngineStats/hostsCounted``), and the last one added.
    var hostsSeen = Set<String>()
    var lastHost: String?
    var replayIndex = 0
    var replayStart: Date?
    var store: AnomalyStore
    var recent: [LogEvent] = []
    var recentHead = 0
    var events = 0
    var rateWindow: [(Date, Int)] = []
    var lastEventTime: Timestamp?
    var dirty = true
    var lastPublish = Date.distantPast
    var version = 0
    let retrainStatus = SharedBox<RetrainStatus>(.idle)
    let retrainedModel = SharedBox<TriplineModel?>(nil)

    /// An engine; loads the model if there is one (the rules run without it).
    public init(options: Options) {
        self.options = options
        self.store = AnomalyStore(capacity: options.maxAnomalies)
        var slot = ModelSlot(directory: options.modelDirectory, overrides: options.overrides)
        // Not trained yet is normal (the rules run); a damaged model is shown in the Model
        // pane and said again on exit (``EngineSnapshot/modelProblem``).
        _ = try? slot.reload()
        self.slot = slot
        var detector = Detector(model: slot.model, config: slot.config)
        detector.keepsClosedIncidents = false // the feed has them; weeks of them are not kept
        detector.reportsChanges = true // the feed drains them after every batch
        self.detector = detector
        if let speed = options.replaySpeed, speed > 0 {
            follower = nil
            var all: [LogEvent] = []
            _ = LogReader(options: options.parse, format: options.format).read(paths: options.paths) { all.append($0) }
            replay = all.sorted { $0.timestamp < $1.timestamp }
        } else {
            follower = FileFollower(patterns: options.paths, fromStart: options.fromStart, options: options.parse, format: options.format)
        }
    }

    private var lastGiveBack = Date()

    /// Runs until the task is cancelled.
    public func run() async {
        while !Task.isCancelled {
            let worked = tick()
            try? await Task.sleep(nanoseconds: worked ? 20_000_000 : 150_000_000)
        }
    }

    /// One round: read, detect, maybe swap the model, maybe publish. True when there was input.
    @discardableResult
    public func tick() -> Bool {
        var count = 0
        if let follower {
            // What one round read is put in time order (several files and hosts, clocks a
            // little apart) and handed on at once: a live view does not wait for the window.
            var window = ReorderWindow(seconds: options.parse.reorderSeconds)
            follower.poll { e in
                window.push(e) { process($0) }
                count += 1
            }
            window.flush { process($0) }
            // Idle: a line held for being hours from its host's clock (the first after a
            // quiet night) has had nothing contradict it; it goes on, so it is not kept waiting.
            if count == 0 { detector.settle() }
        } else {
            count = replayTick()
        }
        if let m = retrainedModel.get() {
            retrainedModel.set(nil)
            slot.install(m)
            detector.replaceModel(m, config: slot.config)
            dirty = true
        }
        let now = Date()
        rateWindow.append((now, count))
        rateWindow.removeAll { now.timeIntervalSince($0.0) > 5 }
        if dirty || now.timeIntervalSince(lastPublish) > 1 { publish(now) }
        // The detector lets go of finished attacks as time passes; hand the memory back.
        if now.timeIntervalSince(lastGiveBack) > 10 {
            lastGiveBack = now
            MemoryTuning.giveBack()
        }
        return count > 0
    }

    private func replayTick() -> Int {
        guard replayIndex < replay.count, let speed = options.replaySpeed else { return 0 }
        let start = replayStart ?? Date()
        replayStart = start
        let first = max(replay[0].timestamp.seconds, options.replayFrom?.seconds ?? -.infinity)
        let horizon = first + Date().timeIntervalSince(start) * speed
        var n = 0
        while replayIndex < replay.count, replay[replayIndex].timestamp.seconds <= horizon, n < 50_000 {
            process(replay[replayIndex])
            replayIndex += 1
            n += 1
        }
        return n
    }

    /// Feeds one event (also for tests and for standard input).
    public func process(_ e: LogEvent) {
        detector.process(e)
        events += 1
        lastEventTime = e.timestamp
        store.activity.addEvent(at: e.timestamp)
        if let h = e.host, hostsSeen.count < EngineStats.hostsCounted, h != lastHost {
            lastHost = h
            hostsSeen.insert(h)
        }
        if recent.count < options.recentEvents { recent.append(e) } else {
            recent[recentHead] = e
            recentHead = (recentHead + 1) % options.recentEvents
        }
        let reports = detector.drainReports()
        if !reports.isEmpty {
            options.onAnomalies?(reports.map(\.anomaly))
            store.insert(reports: reports)
            dirty = true
        } else if events % 500 == 0 {
            dirty = true
        }
    }

    private func publish(_ now: Date) {
        lastPublish = now
        dirty = false
        var s = EngineSnapshot()
        s.anomalies = store.newest(options.maxAnomalies)
        store.activity.settle()
        s.activity = store.activity
        // Over every incident since the start, not only the ones the feed keeps.
        s.topSources = store.sources.top(DetectionEngine.offendersShown)
        s.topUsers = store.users.top(DetectionEngine.offendersShown)
        s.topHosts = store.hosts.top(DetectionEngine.offendersShown)
        var st = EngineStats()
        st.events = events
        st.anomalies = store.totals.incidents
        st.anomaliesBySeverity = store.totals.bySeverity
        st.feedKept = s.anomalies.count
        st.linesSkipped = follower?.skipped ?? 0
        st.hosts = hostsSeen.count
        st.files = follower?.files ?? options.paths
        let span = max(0.5, now.timeIntervalSince(rateWindow.first?.0 ?? now))
        st.eventsPerSecond = Double(rateWindow.reduce(0) { $0 + $1.1 }) / span
        st.lagBytes = follower?.lag ?? 0
        st.lastEvent = lastEventTime
        st.replaying = follower == nil && replayIndex < replay.count
        st.inputEnded = follower?.inputEnded ?? false
        s.stats = st
        s.model = model.map(ModelSummary.init)
        s.modelProblem = slot.problem.map { ModelProblem(text: $0.description, damaged: slot.isDamaged, brief: $0.brief) }
        s.retrain = retrainStatus.get()
        version += 1
        s.version = version
        snapshots.set(s)
    }

    /// Top offenders published (the pane shows as many as fit).
    static let offendersShown = 50

    /// The recent events kept in memory, oldest first.
    func recentHistory() -> [LogEvent] { Array(recent[recentHead...] + recent[..<recentHead]) }

    /// Everything about one user or source, for a drill-down (the UI asks and is answered
    /// with data, between its ticks).
    public func details(_ r: EntityRequest) -> EntityDetails {
        let mine: AnomalyFilter
        let evMine: (LogEvent) -> Bool
        switch r.kind {
        case .user:
            mine = AnomalyFilter(user: r.name, limit: .max)
            evMine = { $0.user == r.name || $0.targetUser == r.name }
        case .source:
            mine = AnomalyFilter(sourceIP: r.name, limit: .max)
            evMine = { $0.sourceIP == r.name }
        case .host:
            mine = AnomalyFilter(host: r.name, limit: .max)
            let wanted = r.name.lowercased()
            evMine = { $0.host?.lowercased() == wanted }
        }
        let events = recentHistory().filter(evMine)
        let baseline = EntityBaseline(kind: r.kind, name: r.name, model: model)
        let anomalies = store.matching(mine)
        let timeline = EntityTimeline(events: events.map(\.timestamp), incidents: anomalies)
        return EntityDetails(kind: r.kind, name: r.name, anomalies: anomalies,
                             recentEvents: Array(events.suffix(200).reversed()), baseline: baseline, timeline: timeline)
    }

    /// Trains a new model in the background on the files given (readable regular files), while
    /// the feed goes on; on success it is saved and swapped in, on failure the old one stays.
    public func retrain() {
        if case .running = retrainStatus.get() { return }
        let files = LogReader.expand(options.paths.flatMap { FileFollower.isGlob($0) ? FileFollower.expandGlob($0) : [$0] })
            .filter { $0 != "-" && FileManager.default.isReadableFile(atPath: $0) }
        let status = retrainStatus, result = retrainedModel
        let dir = options.modelDirectory
        // The thresholds the model was trained with, the config file's laid over them, on all
        // the data followed.
        var base = options.overrides.config(for: model)
        base.baselineDays = nil
        let config = base
        let parse = options.parse, format = options.format
        status.set(.running(started: Timestamp(seconds: Date().timeIntervalSince1970), events: 0))
        dirty = true
        if files.isEmpty {
            // Standard input cannot be read again: train on the recent history kept in memory.
            let history = recentHistory()
            guard history.count >= 2 else {
                status.set(.failed("no readable log files and too little recent history (\(history.count) events) to train on"))
                return
            }
            Thread.detachNewThread {
                let started = Date()
                let m = Trainer(config: config).train(events: history, label: "(recent history: \(history.count) events)")
                DetectionEngine.install(m, in: dir, started: started, status: status, result: result)
            }
            return
        }
        Thread.detachNewThread {
            let started = Date()
            let (m, summary) = Trainer(config: config).train(paths: files, reader: LogReader(options: parse, format: format)) { p in
                status.set(.running(started: Timestamp(seconds: started.timeIntervalSince1970), events: p.events))
            }
            guard summary.events > 0 else {
                status.set(.failed("no events in \(files.joined(separator: ", "))"))
                return
            }
            DetectionEngine.install(m, in: dir, started: started, status: status, result: result)
        }
    }

    /// A retrained model saved, then handed to the engine; a failed save leaves the old model.
    private static func install(_ m: TriplineModel, in dir: String, started: Date, status: SharedBox<RetrainStatus>,
                                result: SharedBox<TriplineModel?>) {
        do {
            try m.save(to: dir)
            result.set(m)
            status.set(.done(events: m.training.events, seconds: Date().timeIntervalSince(started),
                             excludedEvents: m.training.excluded?.events ?? 0, excludedIncidents: m.training.excluded?.incidents ?? 0))
        } catch {
            status.set(.failed("\(error)"))
        }
    }
}
