/// One analysis of logs: what was read, what the detector found, and with which model. Its JSON
/// (`tripline analyze --output json`, and later the REST API's answer) is
/// `{"events_analyzed": N, "anomalies_detected": M, "model": {...}, "anomalies": [...]}`.
public struct Analysis: Sendable {
    /// Events fed to the detector.
    public var eventsAnalyzed: Int
    /// The anomalies, oldest first, at or above the minimum severity.
    public var anomalies: [Anomaly]
    /// What the reading found (lines, skips).
    public var summary: ParseSummary
    /// The model used.
    public var model: TriplineModel?
    /// Events the isolation forest scored and called outliers.
    public var eventsScored: Int
    public var outlierEvents: Int

    /// Runs the detector over files (folders expanded), streamed: several files are merged by
    /// time as they are read, so that windows see one timeline. With `threads` 2, reading runs on
    /// a thread of its own (``EventPipe``); the result is the same.
    ///
    /// With `handing`, each anomaly at or above `minimumSeverity` is handed to it as its
    /// incident closes (in the order they close) and none is kept: ``anomalies`` is empty.
    public static func run(paths: [String], reader: LogReader, model: TriplineModel?, config: DetectionConfig? = nil,
                           minimumSeverity: Severity = .low, compiled: CompiledForest?? = nil, threads: Int = 1,
                           handing: ((Anomaly) -> Void)? = nil) -> Analysis {
        var detector = Detector(model: model, config: config, compiled: compiled ?? model?.forest.map(CompiledForest.init))
        if let handing { detector.handsClosedIncidents = { if $0.severity >= minimumSeverity { handing($0) } } }
        var window = ReorderWindow(seconds: reader.options.reorderSeconds)
        var reader = reader
        reader.options.keepsMessages = false  // detection reads none (see ParseOptions)
        var summary = EventPipe.read(paths: paths, reader: reader, threads: threads) { window.push($0) { detector.process($0) } }
        window.flush { detector.process($0) }
        summary.lateEvents += window.late
        summary.reorderSeconds = reader.options.reorderSeconds
        let found = detector.finish().filter { $0.severity >= minimumSeverity }
        return Analysis(eventsAnalyzed: detector.eventsProcessed, anomalies: found, summary: summary, model: model,
                        eventsScored: detector.eventsScored, outlierEvents: detector.outlierEvents)
    }

    /// Runs the detector over logs held in memory (a request body, an upload), as if read from
    /// a file called `name`. Line formats are streamed into the detector as they are parsed (a
    /// body costs its own bytes, not an array of its events as well); a JSON document, which
    /// may list its records in any order (search results come newest first), is put in time
    /// order first.
    public static func run(bytes: [UInt8], name: String, reader: LogReader, model: TriplineModel?, config: DetectionConfig? = nil,
                           minimumSeverity: Severity = .low, compiled: CompiledForest?? = nil) -> Analysis {
        var detector = Detector(model: model, config: config, compiled: compiled ?? model?.forest.map(CompiledForest.init))
        var reader = reader
        reader.options.keepsMessages = false  // detection reads none (see ParseOptions)
        let format = reader.format ?? bytes.withUnsafeBufferPointer { buf in
            LogFormat.detect(firstBytes: ByteSpan(UnsafeBufferPointer(rebasing: buf.prefix(LogReader.chunkBytes))))
        }
        let summary: ParseSummary
        if format == .json {
            var events: [LogEvent] = []
            summary = reader.read(bytes: bytes, name: name) { events.append($0) }
            events.sort { $0.timestamp < $1.timestamp }
            for e in events { detector.process(e) }
        } else {
            var window = ReorderWindow(seconds: reader.options.reorderSeconds)
            var s = reader.read(bytes: bytes, name: name) { window.push($0) { detector.process($0) } }
            window.flush { detector.process($0) }
            s.lateEvents += window.late
            s.reorderSeconds = reader.options.reorderSeconds
            summary = s
        }
        let found = detector.finish().filter { $0.severity >= minimumSeverity }
        return Analysis(eventsAnalyzed: detector.eventsProcessed, anomalies: found, summary: summary, model: model,
                        eventsScored: detector.eventsScored, outlierEvents: detector.outlierEvents)
    }

    /// Runs the detector over events already in memory (time order).
    public static func run(events: [LogEvent], model: TriplineModel?, config: DetectionConfig? = nil, minimumSeverity: Severity = .low,
                           compiled: CompiledForest?? = nil) -> Analysis {
        var detector = Detector(model: model, config: config, compiled: compiled ?? model?.forest.map(CompiledForest.init))
        for e in events { detector.process(e) }
        let found = detector.finish().filter { $0.severity >= minimumSeverity }
        var summary = ParseSummary()
        summary.events = events.count
        return Analysis(eventsAnalyzed: detector.eventsProcessed, anomalies: found, summary: summary, model: model,
                        eventsScored: detector.eventsScored, outlierEvents: detector.outlierEvents)
    }

    /// Counts by severity.
    public var bySeverity: [Severity: Int] {
        var out: [Severity: Int] = [:]
        for a in anomalies { out[a.severity, default: 0] += 1 }
        return out
    }

    /// The JSON document.
    public func writeJSON(to w: inout JSONWriter, pretty: Bool = false) {
        writeJSONHead(to: &w, pretty: pretty)
        for i in anomalies.indices { writeJSONAnomaly(i, to: &w, pretty: pretty) }
        writeJSONTail(to: &w, pretty: pretty)
    }

    /// ``writeJSON(to:pretty:)`` in three parts, for writers that send the document as it is
    /// made (a server's answer listing tens of thousands of anomalies): everything up to the
    /// anomalies' opening bracket, …
    ///
    /// `count` and `bySeverity` are of the anomalies that follow, when they are not
    /// ``anomalies`` (written out by an ``AnomalySpool``).
    public func writeJSONHead(to w: inout JSONWriter, pretty: Bool = false, count: Int? = nil, bySeverity counts: [Severity: Int]? = nil) {
        let nl: StaticString = pretty ? "\n  " : ""
        let counts = counts ?? bySeverity
        w.raw("{"); w.raw(nl); w.key("events_analyzed"); w.int(eventsAnalyzed)
        w.raw(","); w.raw(nl); w.key("anomalies_detected"); w.int(count ?? anomalies.count)
        w.raw(","); w.raw(nl); w.key("by_severity"); w.raw("{")
        for (i, s) in Severity.allCases.enumerated() {
            if i > 0 { w.raw(",") }
            w.string(s.rawValue); w.raw(":"); w.int(counts[s] ?? 0)
        }
        w.raw("}")
        w.raw(","); w.raw(nl); w.key("lines_read"); w.int(summary.linesRead)
        w.raw(","); w.raw(nl); w.key("lines_skipped"); w.int(summary.problemLines)
        if !summary.unreadable.isEmpty {
            // What was not read whole, and why (a compressed upload past the server's bounds,
            // damaged data): a client must not take a part for the whole.
            w.raw(","); w.raw(nl); w.key("not_read"); w.raw("[")
            for (i, u) in summary.unreadable.enumerated() {
                if i > 0 { w.raw(",") }
                w.raw("{"); w.key("file"); w.string(u.file); w.raw(","); w.key("reason"); w.string(u.reason); w.raw("}")
            }
            w.raw("]")
        }
        w.raw(","); w.raw(nl); w.key("model"); writeModel(to: &w)
        w.raw(","); w.raw(nl); w.key("anomalies"); w.raw("[")
    }

    /// … the anomaly at `index` (with the comma before it), …
    public func writeJSONAnomaly(_ index: Int, to w: inout JSONWriter, pretty: Bool = false) {
        if index > 0 { w.raw(",") }
        if pretty { w.raw("\n    ") }
        anomalies[index].writeJSON(to: &w)
    }

    /// … and the end (`empty`: whether no anomaly was written, when they are not ``anomalies``).
    public func writeJSONTail(to w: inout JSONWriter, pretty: Bool = false, empty: Bool? = nil) {
        if pretty && !(empty ?? anomalies.isEmpty) { w.raw("\n  ") }
        w.raw("]")
        if pretty { w.raw("\n") }
        w.raw("}")
    }

    private func writeModel(to w: inout JSONWriter) {
        guard let m = model else { w.raw("null"); return }
        w.raw("{"); w.key("version"); w.int(m.version)
        w.raw(","); w.key("created_at"); w.string(m.createdAt)
        w.raw(","); w.key("trained_on"); w.raw("{")
        w.key("events"); w.int(m.training.events)
        w.raw(","); w.key("from"); if let f = m.training.from { w.string(f) } else { w.raw("null") }
        w.raw(","); w.key("to"); if let t = m.training.to { w.string(t) } else { w.raw("null") }
        w.raw(","); w.key("files"); w.value(.array(m.training.files.map { .string($0) }))
        w.raw("}")
        w.raw(","); w.key("contamination"); w.double(m.config.contamination)
        w.raw(","); w.key("threshold"); if let f = m.forest { w.double(f.offset) } else { w.raw("null") }
        w.raw(","); w.key("users"); w.int(m.users.count)
        w.raw(","); w.key("service_accounts"); w.value(.array(m.serviceAccounts.map { .string($0) }))
        w.raw(","); w.key("events_scored"); w.int(eventsScored)
        w.raw(","); w.key("outlier_events"); w.int(outlierEvents)
        w.raw("}")
    }
}
