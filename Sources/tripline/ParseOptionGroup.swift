import ArgumentParser
import Foundation
import TriplineCore

/// The options every command that reads logs shares: format, year and time zone.
struct ParseOptionGroup: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Input format: auto, ndjson, json, csv or syslog. auto looks at each file's first line.",
        valueName: "format"))
    var format: String = "auto"

    @Option(name: .long, help: ArgumentHelp(
        "Year of the first line of classic syslog files, which carry none (default: the latest year that does not put the line in the future). Later lines follow on across New Year.",
        valueName: "YYYY"))
    var year: Int?

    @Option(name: .long, help: ArgumentHelp(
        "Time zone of timestamps that carry no offset, as an IANA name (Europe/Berlin) or UTC±HH:MM (default: the machine's, from TZ).",
        valueName: "TZ"))
    var timezone: String?

    @Option(name: .long, help: ArgumentHelp(
        "How far back in time an event may arrive (several hosts in one stream, clocks apart) and still be analysed in its place, in seconds; later ones are counted and analysed where they come (default: 300; 0 keeps the order read).",
        valueName: "seconds"))
    var reorderWindow: Int = ReorderWindow.defaultSeconds

    @Flag(name: .long, help: "Read the local systemd journal too (its auth and authpriv entries, and sshd, sudo, su, login and the account tools'), as journalctl would show them; journal files and folders given as paths are recognised without it.")
    var journal = false

    /// The paths to read: those given, and the system journal with `--journal`.
    func inputs(_ paths: [String]) -> [String] {
        paths + (journal ? [LogReader.systemJournal] : [])
    }

    func validate() throws {
        if format != "auto", LogFormat(rawValue: format) == nil {
            throw ValidationError("unknown format '\(format)': use auto, ndjson, json, csv or syslog")
        }
        if let year, !(1970...2200).contains(year) {
            throw ValidationError("--year \(year) is out of range: give a four-digit year such as 2026")
        }
        if !(0...86_400).contains(reorderWindow) {
            throw ValidationError("--reorder-window \(reorderWindow) is out of range: give seconds from 0 to 86400")
        }
        if let timezone, ParseOptionGroup.zone(timezone) == nil {
            throw ValidationError("unknown time zone '\(timezone)': use an IANA name such as Europe/Berlin, or UTC, or UTC+02:00")
        }
    }

    /// The reader these options describe.
    func reader() -> LogReader {
        let tz = timezone.flatMap(ParseOptionGroup.zone) ?? .current
        var options = ParseOptions(year: year, timeZone: tz)
        options.reorderSeconds = reorderWindow
        return LogReader(options: options, format: LogFormat(rawValue: format))
    }

    /// A zone from an IANA name, `UTC`, or `UTC±HH[:MM]` / `±HH:MM`.
    static func zone(_ name: String) -> TimeZone? {
        if let z = TimeZone(identifier: name) { return z }
        var s = Substring(name)
        if s.hasPrefix("UTC") || s.hasPrefix("GMT") { s = s.dropFirst(3) }
        if s.isEmpty { return TimeZone(secondsFromGMT: 0) }
        guard let sign = s.first, sign == "+" || sign == "-" else { return nil }
        let parts = s.dropFirst().split(separator: ":")
        guard let h = Int(parts.first ?? ""), h <= 14 else { return nil }
        let m = parts.count > 1 ? Int(parts[1]) ?? -1 : 0
        guard (0..<60).contains(m) else { return nil }
        return TimeZone(secondsFromGMT: (sign == "-" ? -1 : 1) * (h * 3600 + m * 60))
    }
}
