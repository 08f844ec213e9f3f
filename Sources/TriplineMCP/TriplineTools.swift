import Foundation
import MCP
import TriplineCore
import TriplineEngine

/// The MCP tools: the prototype's four (`load_anomaly_models`, `analyze_logs`,
/// `analyze_log_file`, `get_detection_stats`) plus `list_anomalies` and `explain_anomaly`, as
/// thin calls into ``AnalysisService``. Answers are JSON text; failures are tool errors
/// (`isError`), never a crash, and the server keeps running.
public struct TriplineTools: Sendable {
    public let service: AnalysisService
    public let roots: AllowedRoots
    /// The largest `logs` argument `analyze_logs` takes, in bytes.
    public let maxInputBytes: Int
    /// The largest file `analyze_log_file` reads (each file of a folder), in bytes.
    public let maxFileBytes: Int64

    public init(service: AnalysisService, roots: AllowedRoots, maxInputBytes: Int = 32 << 20, maxFileBytes: Int64 = 1 << 30) {
        self.service = service
        self.roots = roots
        self.maxInputBytes = maxInputBytes
        self.maxFileBytes = maxFileBytes
    }

    /// Tools that analyse (CPU and file work): the server runs them through its analysis queue;
    /// the others answer at once.
    public static let heavy: Set<String> = ["analyze_logs", "analyze_log_file", "explain_anomaly"]

    static let severities: [Value] = Severity.allCases.map { .string($0.rawValue) }
    static let kinds: [Value] = AnomalyKind.allCases.map { .string($0.rawValue) }
    static let minSeverity: Value = .object(["type": "string", "enum": .array(severities),
                                             "description": "Report only anomalies at or above this severity (default low)."])

    /// The tools with their input schemas.
    public static let tools: [Tool] = [
        Tool(name: "load_anomaly_models",
             description: "Load (or reload) the trained Tripline model from the model folder (MODEL_DIR). Use after `tripline train` wrote a new one. Returns what the model was trained on.",
             inputSchema: .object(["type": "object", "properties": .object([:])]),
             annotations: .init(readOnlyHint: true)),
        Tool(name: "analyze_logs",
             description: "Find attacks (brute force, password spraying, account takeover, privilege escalation, …) in log data passed as a string: a JSON array of records {timestamp, user, source_ip, event_type, action, message}, an object {\"logs\": [...]}, CSV with a header, NDJSON, or raw syslog auth-log lines. Returns one anomaly per incident with severity, score, MITRE ATT&CK techniques, reasons and evidence.",
             inputSchema: .object([
                "type": "object",
                "properties": .object([
                    "logs": .object(["type": "string", "description": "The log data: JSON array or {\"logs\": [...]}, CSV, NDJSON or syslog lines."]),
                    "min_severity": minSeverity,
                ]),
                "required": .array(["logs"]),
             ]),
             annotations: .init(readOnlyHint: true)),
        Tool(name: "analyze_log_file",
             description: "Find attacks in a log file (or a folder of them) on this machine, in any format Tripline reads (syslog auth logs, NDJSON, JSON, CSV). Only paths under the folders the server allows can be read.",
             inputSchema: .object([
                "type": "object",
                "properties": .object([
                    "file_path": .object(["type": "string", "description": "Path of the log file or folder."]),
                    "min_severity": minSeverity,
                ]),
                "required": .array(["file_path"]),
             ]),
             annotations: .init(readOnlyHint: true)),
        Tool(name: "get_detection_stats",
             description: "The model in use (when trained, on what, contamination, threshold) and counters: analyses, events analysed, anomalies found and kept by severity and kind.",
             inputSchema: .object(["type": "object", "properties": .object([:])]),
             annotations: .init(readOnlyHint: true)),
        Tool(name: "list_anomalies",
             description: "Anomalies found so far in this session, newest first, filtered by severity, kind, user, source address, host or time. Use it to find an incident, then explain_anomaly with its id.",
             inputSchema: .object([
                "type": "object",
                "properties": .object([
                    "severity": .object(["type": "string", "enum": .array(severities), "description": "At or above this severity."]),
                    "kind": .object(["type": "string", "enum": .array(kinds)]),
                    "user": .object(["type": "string"]),
                    "source_ip": .object(["type": "string", "description": "Source address or host name, e.g. 203.0.113.45."]),
                    "host": .object(["type": "string", "description": "The machine that logged it, e.g. web-01 (case-insensitive)."]),
                    "since": .object(["type": "string", "description": "ISO 8601 time: last seen at or after."]),
                    "until": .object(["type": "string", "description": "ISO 8601 time: started before."]),
                    "limit": .object(["type": "integer", "minimum": 1, "maximum": .int(AnomalyFilter.maximumLimit), "description": "At most this many (default 100)."]),
                ]),
             ]),
             annotations: .init(readOnlyHint: true)),
        Tool(name: "explain_anomaly",
             description: "Everything about one anomaly: its reasons, ATT&CK techniques, the log lines behind it (when the files can be read) and what the model learnt about its user and source (usual hours, sources, hosts).",
             inputSchema: .object([
                "type": "object",
                "properties": .object(["id": .object(["type": "string", "description": "The anomaly's id, from an analysis or list_anomalies."])]),
                "required": .array(["id"]),
             ]),
             annotations: .init(readOnlyHint: true)),
    ]

    /// A tool failure, answered with `isError`.
    struct ToolError: Error { let message: String }

    /// Runs a tool; every failure becomes a tool error result.
    public func call(_ name: String, _ arguments: [String: Value]) -> CallTool.Result {
        do {
            let text = try run(name, arguments)
            return CallTool.Result(content: [.text(text: text, annotations: nil, _meta: nil)], isError: false)
        } catch let e as ToolError {
            return CallTool.Result(content: [.text(text: e.message, annotations: nil, _meta: nil)], isError: true)
        } catch {
            return CallTool.Result(content: [.text(text: "\(error)", annotations: nil, _meta: nil)], isError: true)
        }
    }

    func run(_ name: String, _ args: [String: Value]) throws -> String {
        switch name {
        case "load_anomaly_models":
            do {
                let m = try service.reloadModel()
                var w = JSONWriter()
                w.raw("{"); w.key("loaded"); w.bool(true)
                w.raw(","); w.key("model_dir"); w.string(service.modelDirectory)
                w.raw(","); m.writeSummaryMembers(to: &w)
                w.raw("}")
                return text(w)
            } catch {
                throw ToolError(message: "no model loaded: \(error.description)")
            }
        case "analyze_logs":
            let logs = try string(args, "logs", required: true) ?? ""
            guard !logs.isEmpty else { throw ToolError(message: "logs is empty: pass log lines or a JSON array of records") }
            guard logs.utf8.count <= maxInputBytes else {
                throw ToolError(message: "logs is \(logs.utf8.count >> 20) MiB; this server takes at most \(maxInputBytes >> 20) MiB in one call: put the logs in a file under an allowed folder and use analyze_log_file")
            }
            let minimum = try severity(args, "min_severity") ?? .low
            let bytes = Array(logs.utf8)
            let first = bytes.first { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }
            let analysis: Analysis
            if first == UInt8(ascii: "[") || (first == UInt8(ascii: "{") && logs.contains("\"logs\"")) {
                do {
                    let events = try RecordBatch.events(body: bytes, name: "logs")
                    analysis = service.analyze(events: events, minimumSeverity: minimum)
                } catch {
                    throw ToolError(message: "logs is not a valid list of records: \(error.description)")
                }
            } else {
                analysis = service.analyze(bytes: bytes, name: "logs", minimumSeverity: minimum)
            }
            return document(analysis)
        case "analyze_log_file":
            let path = try string(args, "file_path", required: true) ?? ""
            guard !path.utf8.contains(0) else {
                throw ToolError(message: "file_path contains a NUL byte; no file name can hold one")
            }
            let minimum = try severity(args, "min_severity") ?? .low
            let real: String
            switch roots.check(path) {
            case .success(let r): real = r
            case .failure(let e): throw ToolError(message: e.description)
            }
            // Every file is checked again as it is opened (a folder's files, a name swapped for a
            // link or a FIFO since): regular, under a root once its links are followed, not too big.
            let analysis = service.analyze(paths: [real], minimumSeverity: minimum, admit: roots.admission(maxBytes: maxFileBytes))
            if analysis.summary.linesRead == 0, let why = analysis.summary.unreadable.first ?? analysis.summary.passedOver.first {
                throw ToolError(message: "\(TerminalSafe.sanitize(why.0 == real ? path : why.0)): \(why.1)")
            }
            return document(analysis)
        case "get_detection_stats":
            let s = service.stats
            var w = JSONWriter()
            w.raw("{"); w.key("model_loaded"); w.bool(service.model != nil)
            w.raw(","); w.key("model_error"); w.optionalString(service.model == nil ? service.modelError : nil)
            if let m = service.model {
                w.raw(","); w.key("model"); m.writeSummary(to: &w)
            }
            s.writeCounterMembers(to: &w)
            w.raw("}")
            return text(w)
        case "list_anomalies":
            let filter: AnomalyFilter
            do {
                filter = try AnomalyFilter.parse(severity: try string(args, "severity"), kind: try string(args, "kind"),
                                                 user: try string(args, "user"), sourceIP: try string(args, "source_ip"),
                                                 host: try string(args, "host"), since: try string(args, "since"), until: try string(args, "until"),
                                                 limit: try integerText(args, "limit"))
            } catch let e as AnomalyFilter.Problem {
                throw ToolError(message: e.description)
            }
            let found = service.anomalies(matching: filter)
            var w = JSONWriter()
            found.writeCountedList(to: &w)
            return text(w)
        case "explain_anomaly":
            let id = try string(args, "id", required: true) ?? ""
            guard let a = service.anomaly(id: id) else {
                throw ToolError(message: "no anomaly with id '\(id)' in this session; run analyze_logs or analyze_log_file first, or list_anomalies to see the ids")
            }
            var w = JSONWriter()
            AnomalyExplanation(anomaly: a, evidenceLines: evidenceLines(a), baseline: service.baseline(for: a)).writeJSON(to: &w)
            return text(w)
        default:
            throw ToolError(message: "unknown tool '\(name)'; the tools are \(TriplineTools.tools.map(\.name).joined(separator: ", "))")
        }
    }

    /// The log lines behind an anomaly, `file:line: text`, for files this server may read.
    func evidenceLines(_ a: Anomaly) -> [String] {
        let admit = roots.admission(maxBytes: .max)
        return AnomalyExplanation.evidenceLines(a) { file in
            guard case .success(let real) = roots.check(file) else { return nil }
            let fd = open(real, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
            guard fd >= 0 else { return nil }
            guard admit(fd) == nil else { close(fd); return nil }
            return fd
        }
    }

    private func document(_ a: Analysis) -> String {
        var w = JSONWriter()
        a.writeJSON(to: &w)
        return text(w)
    }

    private func text(_ w: JSONWriter) -> String { String(decoding: w.bytes, as: UTF8.self) }

    private func string(_ args: [String: Value], _ key: String, required: Bool = false) throws -> String? {
        guard let v = args[key], !v.isNull else {
            if required { throw ToolError(message: "missing argument '\(key)'") }
            return nil
        }
        guard let s = v.stringValue else { throw ToolError(message: "argument '\(key)' must be a string") }
        return s
    }

    private func integerText(_ args: [String: Value], _ key: String) throws -> String? {
        guard let v = args[key], !v.isNull else { return nil }
        if let i = v.intValue { return String(i) }
        if let d = v.doubleValue, d == d.rounded() {
            // A whole number too large for Int is still a number: the filter answers it as out
            // of range, as it does any other; Int(d) would trap past ±2^63.
            if let i = Int(exactly: d) { return String(i) }
            return d < 0 ? "-9223372036854775809" : "9223372036854775808"
        }
        if let s = v.stringValue { return s }
        throw ToolError(message: "argument '\(key)' must be a whole number")
    }

    private func severity(_ args: [String: Value], _ key: String) throws -> Severity? {
        guard let s = try string(args, key), !s.isEmpty else { return nil }
        guard let v = Severity(rawValue: s.lowercased()) else {
            throw ToolError(message: "\(key): '\(s)' is not a severity; use one of \(Severity.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return v
    }
}
