import Foundation
@testable import TriplineCore
import TriplineTestSupport

/// Parses syslog text line by line with one parser (as a file would be read).
func syslogEvents(_ text: String, year: Int? = 2026, zone: String = "UTC", reference: Date = Date()) -> [LineResult] {
    var parser = SyslogParser(options: ParseOptions(year: year, timeZone: TimeZone(identifier: zone)!, referenceDate: reference))
    return text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().map { i, l in
        var s = String(l)
        return s.withUTF8 { parser.parse(ByteSpan($0), file: "t.log", line: i + 1) }
    }
}

/// The event of a single syslog line; fails the caller's expectations with nil when skipped.
func syslogEvent(_ line: String, year: Int? = 2026, zone: String = "UTC") -> LogEvent? {
    if case .event(let e) = syslogEvents(line, year: year, zone: zone)[0] { return e }
    return nil
}

/// Writes bytes to a fresh temporary file and returns its path.
func temporaryFile(_ bytes: [UInt8], name: String = "input.log") throws -> String {
    let dir = TestFolders.url("tripline-tests")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let url = dir.appendingPathComponent(name)
    try Data(bytes).write(to: url)
    return url.path
}

func temporaryFile(_ text: String, name: String = "input.log") throws -> String {
    try temporaryFile(Array(text.utf8), name: name)
}

/// Reads a file with a ``LogReader`` and returns the events and the summary.
func readAll(_ path: String, format: LogFormat? = nil, year: Int? = 2026) -> ([LogEvent], ParseSummary) {
    var events: [LogEvent] = []
    let reader = LogReader(options: ParseOptions(year: year, timeZone: TimeZone(identifier: "UTC")!), format: format)
    let summary = reader.read(path: path) { events.append($0) }
    return (events, summary)
}
