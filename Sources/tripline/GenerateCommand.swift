import ArgumentParser
import Foundation
import TriplineGenerator
import TriplineCommandLine

/// `tripline generate`: synthetic auth logs with planted, labelled attacks.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write realistic auth logs with labelled attacks, for demos, tests and benchmarks.",
        discussion: """
        Writes OUT/auth.log (syslog with RFC 3339 timestamps), OUT/ndjson/events.ndjson (the \
        same events in the prototype's JSON schema, plus file access events) and \
        OUT/labels/labels.json \
        (every planted attack: kind, start, end, source, users, host, ATT&CK techniques; and \
        the benign situations that look unusual: new VPN addresses, on-call night work, typos).

        The organisation has ordinary users with habits, admins with routine sudo, remote \
        workers on home broadband, and service accounts running around the clock on several \
        hosts. The first third of the days is kept free of attacks so that a baseline can be \
        learnt from it (tripline train --baseline-days). The same seed gives the same files. \
        Events are written as they are generated, so --events can be tens of millions.
        """
    )

    @Option(name: .long, help: ArgumentHelp("Folder to write into (created if missing).", valueName: "dir"))
    var out: String

    @Option(name: .long, help: "Days of logs.")
    var days = 7

    @Option(name: .long, help: "Human accounts (service accounts come on top).")
    var users = 25

    @Option(name: .long, help: "Random seed; the same seed gives the same files.")
    var seed: UInt64 = 42

    @Option(name: .long, help: ArgumentHelp("Approximate number of log lines to aim for; automation fills the gap (default: the organisation's natural volume).", valueName: "n"))
    var events: Int?

    @Option(name: .long, help: "Attacks of each kind to plant after the clean days.")
    var attacks = 2

    @Option(name: .long, help: ArgumentHelp("First day, YYYY-MM-DD (UTC).", valueName: "date"))
    var start = "2026-03-02"

    func validate() throws {
        if GenerateCommand.day(start) == nil { throw ValidationError("--start '\(start)' is not a date: use YYYY-MM-DD") }
    }

    static func day(_ s: String) -> Int? {
        let p = s.split(separator: "-").compactMap { Int($0) }
        guard p.count == 3, (1970...2200).contains(p[0]), (1...12).contains(p[1]), (1...31).contains(p[2]) else { return nil }
        var comps = DateComponents()
        comps.year = p[0]; comps.month = p[1]; comps.day = p[2]
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC")!
        guard let d = cal.date(from: comps) else { return nil }
        return Int(d.timeIntervalSince1970 / 86_400)
    }

    func run() throws {
        let config = GeneratorConfig(outputDirectory: out, days: days, users: users, seed: seed, targetEvents: events,
                                     attacksPerKind: attacks, startDay: GenerateCommand.day(start) ?? 20_514)
        let began = Date()
        do {
            let r = try AuthLogGenerator(config: config).run()
            let secs = Date().timeIntervalSince(began)
            printError("wrote \(r.syslogLines) syslog lines, \(r.ndjsonRecords) NDJSON records and \(r.attacks) labelled attacks in \(String(format: "%.1f", secs)) s:")
            for f in r.files { printError("  \(f)") }
        } catch let e as GeneratorError {
            printError("tripline generate: \(e)")
            throw ExitCode(2)
        }
    }
}
