#if canImport(Glibc)
import Glibc
#endif
import TriplineCore

/// Everything about one anomaly, as `tripline explain` prints it and the MCP tool
/// `explain_anomaly` answers: the anomaly, a one-line summary, the log lines behind it (as far
/// as they can be read where it is explained) and what the model learnt about its user and
/// source.
public struct AnomalyExplanation: Sendable {
    public var anomaly: Anomaly
    /// `file:line: text` for each evidence location (`(not readable here)` when it cannot be).
    public var evidenceLines: [String]
    /// The model's baseline of the user and the source, as lines.
    public var baseline: [String]

    public init(anomaly: Anomaly, evidenceLines: [String], baseline: [String]) {
        self.anomaly = anomaly
        self.evidenceLines = evidenceLines
        self.baseline = baseline
    }

    /// `high brute_force (T1110.001) user root from 203.0.113.45 START → END, 12 events`.
    public var summary: String {
        let a = anomaly
        return "\(a.severity.rawValue) \(a.kind.rawValue) (\(a.techniques.joined(separator: ", "))) " +
            "\(a.user.map { "user \($0) " } ?? "")\(a.sourceIP.map { "from \($0) " } ?? "")" +
            "\(a.start.iso8601) → \(a.lastSeen.iso8601), \(a.eventCount) events"
    }

    /// `{"anomaly": {...}, "summary": "...", "evidence_lines": [...], "baseline": [...]}`.
    public func writeJSON(to w: inout JSONWriter) {
        w.raw("{"); w.key("anomaly"); anomaly.writeJSON(to: &w)
        w.raw(","); w.key("summary"); w.string(summary)
        w.raw(","); w.key("evidence_lines"); w.value(.array(evidenceLines.map { .string($0) }))
        w.raw(","); w.key("baseline"); w.value(.array(baseline.map { .string($0) }))
        w.raw("}")
    }

    /// The explanation for people: every field from the logs made terminal-safe.
    public var text: String {
        let a = anomaly
        let safe = TerminalSafe.sanitize
        var out = "\(safe(a.id))  \(a.severity.rawValue.uppercased()) \(Int(a.score.rounded()))  \(a.kind.rawValue)"
        if !a.techniques.isEmpty { out += "  ATT&CK \(a.techniques.joined(separator: ", "))" }
        out += "\n"
        var who: [String] = []
        if let u = a.user { who.append("user \(safe(u))") }
        if let s = a.sourceIP { who.append("source \(safe(s))") }
        if let h = a.host { who.append("host \(safe(h))") }
        if !who.isEmpty { out += who.joined(separator: ", ") + "\n" }
        out += "\(a.start.iso8601) → \(a.lastSeen.iso8601), \(a.eventCount) event\(a.eventCount == 1 ? "" : "s")\n"
        out += "\nREASONS\n" + a.reasons.map { "  - " + safe($0) + "\n" }.joined()
        out += "\nEVIDENCE" + (a.evidenceTruncated ? " (the first \(a.evidence.count) locations)" : "") + "\n"
        out += evidenceLines.isEmpty ? "  (no locations)\n" : evidenceLines.map { "  " + safe($0) + "\n" }.joined()
        if !a.details.isEmpty {
            out += "\nDETAILS\n"
            for k in a.details.keys.sorted() {
                var w = JSONWriter()
                w.value(a.details[k] ?? .null)
                out += "  \(safe(k)): \(safe(String(decoding: w.bytes, as: UTF8.self)))\n"
            }
        }
        out += "\nBASELINE\n" + (baseline.isEmpty ? "  (no user or source)\n" : baseline.map { "  " + safe($0) + "\n" }.joined())
        return out
    }

    /// The log lines behind `a`, `file:line: text`, from the files `open` gives a descriptor
    /// for (it decides what may be read; nil: `(not readable here)`), counted as the reader
    /// counts them (plain, compressed or a journal file) and made terminal-safe.
    public static func evidenceLines(_ a: Anomaly, open: (String) -> Int32?) -> [String] {
        var wanted: [String: Set<Int>] = [:]
        for loc in a.evidence {
            guard let n = loc.line else { continue }
            wanted[loc.file, default: []].insert(n)
        }
        var found: [EvidenceLocation: String] = [:]
        for (file, lines) in wanted where !lines.isEmpty {
            guard let fd = open(file) else { continue }
            // EvidenceLines takes the descriptor and closes it.
            for (n, text) in EvidenceLines.read(fd, lines: lines) {
                found[EvidenceLocation(file: file, line: n)] = TerminalSafe.sanitize(text)
            }
        }
        return a.evidence.map { loc in found[loc].map { "\(loc): \($0)" } ?? "\(loc): (not readable here)" }
    }

    /// Opens `path` for reading if it is a regular file (not a FIFO or a device that would
    /// block or never end), for a command run with the user's own rights.
    public static func openRegularFile(_ path: String) -> Int32? {
        let fd = PathName.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { close(fd); return nil }
        return fd
    }

    /// The baseline lines for `a`'s user and source from `model` (`noModel` when there is none).
    public static func baseline(for a: Anomaly, model: TriplineModel?, noModel: String) -> [String] {
        var lines: [String] = []
        if let u = a.user {
            lines += EntityBaseline(kind: .user, name: u, model: model).lines(noModel: noModel).map { "user \(u): \($0)" }
        }
        if let ip = a.sourceIP {
            lines += EntityBaseline(kind: .source, name: ip, model: model).lines(noModel: noModel).map { "source \(ip): \($0)" }
        }
        return lines
    }
}
