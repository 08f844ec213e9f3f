/// A skipped line worth showing: where it is, and why.
public struct SkipExample: Sendable, Hashable {
    public let reason: SkipReason
    public let file: String
    public let line: Int
    public let detail: String?

    /// `file:line`.
    public var location: String { "\(file):\(line)" }
}

/// What reading one or more files produced: counts, and the first few problems per reason.
public struct ParseSummary: Sendable {
    /// How many example locations are kept per skip reason.
    public static let examplesPerReason = 3

    /// Files read (or attempted), in order.
    public var files: [String] = []
    /// The format used for each file read.
    public var formats: [String: LogFormat] = [:]
    /// The compression of each compressed file read (`gzip`, `xz`, `zstd`).
    public var compressed: [String: String] = [:]
    /// Lines (or records, for JSON arrays) read.
    public var linesRead = 0
    /// Events produced.
    public var events = 0
    /// Lines skipped, by reason.
    public var skipped: [SkipReason: Int] = [:]
    /// The first few skipped lines per reason.
    public var examples: [SkipExample] = []
    /// Events that came later than the reorder window allowed (analysed where they came).
    public var lateEvents = 0
    /// The reorder window they were late for, in seconds.
    public var reorderSeconds = 0
    /// Lines with invalid UTF-8 that were kept with U+FFFD in place of the bad bytes.
    public var repairedUTF8 = 0
    /// Files that could not be read at all, with the reason (`missing.log: No such file or directory`).
    public var unreadable: [(file: String, reason: String)] = []
    /// Files passed over whole, with the reason (binary or compressed content).
    public var passedOver: [(file: String, reason: String)] = []

    /// An empty summary.
    public init() {}

    /// Every file named failed and not a line came from any of them (a compressed file cut
    /// short still gave the lines before the cut): the commands' "nothing could be read".
    public var nothingRead: Bool {
        !files.isEmpty && unreadable.count >= files.count && linesRead == 0
    }

    /// Lines skipped for reasons that are problems (not blank lines or CSV headers).
    public var problemLines: Int { skipped.filter { $0.key.isProblem }.reduce(0) { $0 + $1.value } }

    mutating func skip(_ reason: SkipReason, file: String, line: Int, detail: String?) {
        skipped[reason, default: 0] += 1
        if reason.isProblem, skipped[reason, default: 0] <= ParseSummary.examplesPerReason {
            examples.append(SkipExample(reason: reason, file: file, line: line, detail: detail))
        }
    }

    /// Notes names that are the same file as one read (passed over: each file is read once).
    mutating func noteSameFiles(_ sameAs: [(file: String, original: String)]) {
        for d in sameAs { passedOver.append((d.file, "the same file as \(d.original), read once")) }
    }

    /// Adds another summary's counts to this one.
    public mutating func merge(_ o: ParseSummary) {
        files += o.files
        formats.merge(o.formats) { a, _ in a }
        compressed.merge(o.compressed) { a, _ in a }
        linesRead += o.linesRead
        events += o.events
        for (k, v) in o.skipped { skipped[k, default: 0] += v }
        for ex in o.examples where examples.filter({ $0.reason == ex.reason }).count < ParseSummary.examplesPerReason {
            examples.append(ex)
        }
        repairedUTF8 += o.repairedUTF8
        lateEvents += o.lateEvents
        reorderSeconds = max(reorderSeconds, o.reorderSeconds)
        unreadable += o.unreadable
        passedOver += o.passedOver
    }

    /// Why nothing could be read, for a command that stops there: one line per file, each
    /// with the command's name first (`tripline analyze: could not read /x: No such file or directory`).
    public func nothingReadReport(command: String) -> String {
        var lines: [String] = []
        for u in unreadable { lines.append("tripline \(command): could not read \(TerminalSafe.sanitize(u.file)): \(TerminalSafe.sanitize(u.reason))") }
        for p in passedOver { lines.append("tripline \(command): passed over \(TerminalSafe.sanitize(p.file)): \(TerminalSafe.sanitize(p.reason))") }
        if lines.isEmpty { lines.append("tripline \(command): nothing could be read") }
        return lines.joined(separator: "\n")
    }

    /// A few lines for people: totals, then each skip reason with its first locations.
    public func report() -> String {
        var out = "\(linesRead) lines read from \(files.count) file\(files.count == 1 ? "" : "s"), \(events) events"
        let problems = problemLines
        out += problems == 0 ? ", no lines skipped" : ", \(problems) lines skipped"
        if let blank = skipped[.blank], blank > 0 { out += " (\(blank) blank)" }
        out += "\n"
        for (reason, n) in skipped.sorted(by: { $0.key < $1.key }) where reason.isProblem {
            let ex = examples.filter { $0.reason == reason }
            let locs = ex.map { e in TerminalSafe.sanitize(e.location + (e.detail.map { " (\($0))" } ?? "")) }.joined(separator: ", ")
            out += "  skipped \(n) × \(reason.rawValue): \(locs)\(n > ex.count ? ", …" : "")\n"
        }
        if !compressed.isEmpty {
            let kinds = Set(compressed.values).sorted().joined(separator: ", ")
            out += "  \(compressed.count) of them compressed (\(kinds)), read decompressed\n"
        }
        if lateEvents > 0 {
            out += "  \(lateEvents) events came more than \(reorderSeconds) s before an event already read (other hosts, clocks apart); analysed where they came\n"
        }
        if repairedUTF8 > 0 { out += "  kept \(repairedUTF8) lines with invalid UTF-8 (bad bytes shown as U+FFFD)\n" }
        // File names (and what is said of them) as people see them: a name may hold a newline
        // or an escape sequence.
        for p in passedOver { out += "  passed over \(TerminalSafe.sanitize(p.file)): \(TerminalSafe.sanitize(p.reason))\n" }
        for u in unreadable { out += "  could not read \(TerminalSafe.sanitize(u.file)): \(TerminalSafe.sanitize(u.reason))\n" }
        return out
    }
}
