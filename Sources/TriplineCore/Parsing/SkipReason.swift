/// Why a line produced no event. Skipped lines are counted per reason and never stop a run.
public enum SkipReason: String, Sendable, Hashable, CaseIterable, Comparable {
    case blank = "blank line"
    case binary = "binary data (NUL byte)"
    case tooLong = "line longer than 1 MiB"
    case noSyslogHeader = "not a syslog line (no timestamp)"
    case badTimestamp = "unreadable timestamp"
    case missingTimestamp = "record without a timestamp"
    case invalidJSON = "invalid JSON"
    case notAnObject = "JSON value is not an object"
    case csvFieldCount = "CSV row with the wrong number of fields"
    case csvHeader = "CSV header row"
    case csvUnterminatedQuote = "CSV quoted field not closed within 64 lines"
    case unreadableFile = "file could not be read"

    /// Blank lines and CSV header rows are expected, not problems.
    public var isProblem: Bool { self != .blank && self != .csvHeader }

    public static func < (a: SkipReason, b: SkipReason) -> Bool { a.rawValue < b.rawValue }
}

/// The result of parsing one line or record.
public enum LineResult: Sendable {
    /// The line became an event.
    case event(LogEvent)
    /// The line was skipped; `detail` says more when there is more to say.
    case skipped(SkipReason, detail: String?)
}
