import Foundation
import Synchronization
import TriplineCore

/// The engine behind the REST API and the MCP server: one model (loaded from the model folder,
/// reloadable), analyses of logs handed over (bodies, uploads, files), the anomalies found so far
/// (an ``AnomalyStore`` of the newest `keep` by start, so memory stays bounded) and counters.
/// Thread-safe; analyses run in parallel on the caller's threads (the faces put them on an
/// ``AnalysisQueue``), with the same detector `tripline analyze` uses.
public final class AnalysisService: Sendable {
    /// Where `model.json` is read from.
    public let modelDirectory: String
    /// Detection settings a config file lays over whichever model is in use.
    public let overrides: DetectionOverrides
    /// How many anomalies are kept for `anomalies(matching:)`.
    public let keep: Int
    /// When the service started.
    public let started = Date()

    private struct State {
        var slot: ModelSlot
        var store: AnomalyStore
        /// A large analysis added anomalies since the last ``compactIfNeeded()``.
        var needsCompaction = false
        var analyses = 0
        var eventsAnalyzed = 0
        var linesSkipped = 0
        var anomaliesFound = 0
    }

    private let state: Mutex<State>
    private let onAnomalies: (@Sendable ([Anomaly]) -> Void)?

    /// A service over the model folder; loads the model now if there is one (a missing model is
    /// not an error: `modelError` says why there is none).
    /// `onAnomalies` sees every analysis's anomalies (alerting hangs off it).
    public init(modelDirectory: String, overrides: DetectionOverrides = DetectionOverrides(), keep: Int = 10_000,
                onAnomalies: (@Sendable ([Anomaly]) -> Void)? = nil) {
        self.onAnomalies = onAnomalies
        self.modelDirectory = modelDirectory
        self.overrides = overrides
        self.state = Mutex(State(slot: ModelSlot(directory: modelDirectory, overrides: overrides), store: AnomalyStore(capacity: keep)))
        self.keep = max(1, keep)
        _ = try? reloadModel()
    }

    /// The model in use, if any.
    public var model: TriplineModel? { state.withLock { $0.slot.model } }

    /// Why no model is loaded (missing, damaged), or nil when one is.
    public var modelError: String? { state.withLock { $0.slot.problem?.description } }

    /// The thresholds in use: the model's with the config file's settings laid over them.
    public var config: DetectionConfig { state.withLock { $0.slot.config } }

    /// When the model in use was loaded.
    public var modelLoadedAt: Date? { state.withLock { $0.slot.loadedAt } }

    /// (Re)loads `model.json`. On failure the model in use (if any) stays, and the error says why.
    @discardableResult
    public func reloadModel() throws(ModelError) -> TriplineModel {
        // Loaded outside the lock (a large model takes a while); put in use under it.
        var fresh = ModelSlot(directory: modelDirectory, overrides: overrides)
        do {
            let m = try fresh.reload()
            state.withLock { $0.slot = fresh }
            return m
        } catch {
            state.withLock { $0.slot.failed(error) }
            throw error
        }
    }

    /// Analyses logs held in memory (a request body, an upload, a tool argument) in any format
    /// the parsers read; `name` stands for the file in evidence (`name:line`).
    public func analyze(bytes: [UInt8], name: String, format: LogFormat? = nil, options: ParseOptions = ParseOptions(),
                        minimumSeverity: Severity = .low) -> Analysis {
        let (m, config, compiled) = state.withLock { ($0.slot.model, $0.slot.config, $0.slot.compiled) }
        // An upload: a compressed one expands within bounds (README, "Limits").
        var options = options
        if options.decompressionLimit == nil { options.decompressionLimit = .requests }
        let result = Analysis.run(bytes: bytes, name: name, reader: LogReader(options: options, format: format), model: m, config: config,
                                  compiled: .some(compiled))
        return record(result, minimumSeverity: minimumSeverity)
    }

    /// Analyses files (folders expanded one level). `admit` decides which of the files opened
    /// may be read (see ``LogReader/admit``).
    public func analyze(paths: [String], options: ParseOptions = ParseOptions(), minimumSeverity: Severity = .low,
                        admit: (@Sendable (Int32) -> String?)? = nil) -> Analysis {
        let (m, config, compiled) = state.withLock { ($0.slot.model, $0.slot.config, $0.slot.compiled) }
        var reader = LogReader(options: options)
        reader.admit = admit
        // Files read for a client (MCP): compressed ones expand within bounds, as uploads do.
        if admit != nil, reader.options.decompressionLimit == nil { reader.options.decompressionLimit = .requests }
        let result = Analysis.run(paths: paths, reader: reader, model: m, config: config,
                                  compiled: .some(compiled))
        return record(result, minimumSeverity: minimumSeverity)
    }

    /// Analyses events already parsed (time order is restored first).
    public func analyze(events: [LogEvent], summary: ParseSummary? = nil, minimumSeverity: Severity = .low) -> Analysis {
        let (m, config, compiled) = state.withLock { ($0.slot.model, $0.slot.config, $0.slot.compiled) }
        let sorted = events.sorted { $0.timestamp < $1.timestamp }
        var result = Analysis.run(events: sorted, model: m, config: config, compiled: .some(compiled))
        if let summary { result.summary = summary }
        return record(result, minimumSeverity: minimumSeverity)
    }

    /// Hands every anomaly to `onAnomalies` (alerting does not depend on what a caller asked to
    /// see), then keeps and returns those at or above `minimumSeverity`.
    private func record(_ full: Analysis, minimumSeverity: Severity) -> Analysis {
        if let onAnomalies, !full.anomalies.isEmpty { onAnomalies(full.anomalies) }
        var a = full
        if minimumSeverity > .low { a.anomalies = full.anomalies.filter { $0.severity >= minimumSeverity } }
        state.withLock { s in
            s.analyses += 1
            s.eventsAnalyzed += a.eventsAnalyzed
            s.linesSkipped += a.summary.problemLines
            s.anomaliesFound += a.anomalies.count
            s.store.insert(a.anomalies)
            if a.anomalies.count >= 1000 { s.needsCompaction = true }
        }
        return a
    }

    /// After a large analysis has gone, copies the anomalies kept from it together (they were
    /// spread over the analysis's memory, which could not be handed back around them) and hands
    /// the rest back. Cheap when there is nothing to do; the servers call it every few seconds.
    public func compactIfNeeded() {
        let done = state.withLock { s -> Bool in
            guard s.needsCompaction else { return false }
            s.needsCompaction = false
            s.store.compact()
            return true
        }
        if done { MemoryTuning.giveBack() }
    }

    /// Anomalies kept, newest (by start) first, that pass `filter`, up to its limit.
    public func anomalies(matching filter: AnomalyFilter) -> [Anomaly] {
        state.withLock { $0.store.matching(filter) }
    }

    /// One kept anomaly by id.
    public func anomaly(id: String) -> Anomaly? { state.withLock { $0.store[id] } }

    /// Counters since the start.
    public struct Stats: Sendable {
        public var analyses: Int
        public var eventsAnalyzed: Int
        public var linesSkipped: Int
        public var anomaliesFound: Int
        public var anomaliesKept: Int
        public var keptBySeverity: [Severity: Int]
        public var keptByKind: [AnomalyKind: Int]
        public var uptimeSeconds: Double
    }

    public var stats: Stats {
        state.withLock { s in
            let kept = s.store.kept
            return Stats(analyses: s.analyses, eventsAnalyzed: s.eventsAnalyzed, linesSkipped: s.linesSkipped,
                         anomaliesFound: s.anomaliesFound, anomaliesKept: s.store.count, keptBySeverity: kept.bySeverity,
                         keptByKind: kept.byKind, uptimeSeconds: Date().timeIntervalSince(started))
        }
    }

    /// What the model knows about an anomaly's user and source, as lines.
    public func baseline(for a: Anomaly) -> [String] {
        AnomalyExplanation.baseline(for: a, model: model, noModel: "no model loaded")
    }
}
