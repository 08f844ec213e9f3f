/// Parses lines one at a time as they arrive (from a followed file): the same per-file state as
/// ``LogReader`` (format detection on the first line, the syslog year, sshd's connections), and
/// the same counts of skipped lines.
public struct LineParser {
    private var state: FileState
    /// Lines read and skipped so far.
    public private(set) var summary = ParseSummary()

    /// A parser for lines of one file; `format` nil detects it from the first non-blank line.
    public init(options: ParseOptions = ParseOptions(), format: LogFormat? = nil, file: String) {
        state = FileState(options: options, format: format, file: file)
        summary.files.append(file)
    }

    /// The format in use (nil until the first non-blank line).
    public var format: LogFormat? { state.format }

    /// Parses one complete line (without its newline); the events it produced (none, or one).
    public mutating func parse(_ line: ByteSpan, number: Int) -> [LogEvent] {
        if state.format == nil {
            if line.trimmed().count == 0 {
                summary.linesRead += 1
                summary.skip(.blank, file: state.file, line: number, detail: nil)
                return []
            }
            // A JSON array cannot be followed line by line; anything else is detected as usual.
            let f = LogFormat.detect(firstBytes: line) ?? .syslog
            state.format = f == .json ? .ndjson : f
        }
        var out: [LogEvent] = []
        state.line(line, number: number, summary: &summary) { out.append($0) }
        return out
    }

    /// Counts a line skipped for being longer than ``LogReader/maxLineBytes`` (the follower
    /// drops its bytes as they come, as the reader does).
    public mutating func skipTooLong(number: Int) {
        summary.linesRead += 1
        summary.skip(.tooLong, file: state.file, line: number, detail: nil)
    }

    /// Records that the file could not be read on (corrupt or truncated compressed data).
    public mutating func failed(_ reason: String) {
        summary.unreadable.append((state.file, reason))
    }

    /// Parses a line given as a `String`.
    public mutating func parse(_ line: String, number: Int) -> [LogEvent] {
        var s = line
        return s.withUTF8 { parse(ByteSpan($0), number: number) }
    }
}
