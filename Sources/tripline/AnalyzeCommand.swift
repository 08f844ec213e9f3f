import ArgumentParser
import Foundation
import TriplineCore
import TriplineEngine
import TriplineCommandLine

/// `tripline analyze`: find the attacks in logs with a trained model.
struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Find attacks in logs: one anomaly per incident, with reasons and evidence.",
        discussion: """
        Runs the detector over the logs with the model from MODEL_DIR (train one first with \
        tripline train). Several files are merged by time. --output json prints one document \
        {"events_analyzed", "anomalies_detected", "model", "anomalies"}; ndjson one anomaly per \
        line; table a summary for people (the default on a terminal).
        """
    )

    @Argument(help: ArgumentHelp("Log files or folders (compressed ones too; journal files and folders); - for standard input.", valueName: "path"))
    var paths: [String] = []

    @OptionGroup var model: ModelDirOption

    @Option(name: .shortAndLong, help: ArgumentHelp("json, ndjson or table (default: table on a terminal, json otherwise).", valueName: "format"))
    var output: String?

    @Option(name: .long, help: ArgumentHelp("Report only anomalies at or above: low, medium, high or critical.", valueName: "severity"))
    var minSeverity: String = "low"

    @Option(name: .long, help: ArgumentHelp("Report only anomalies seen on this host (case-insensitive; the events of every host are still analysed together, so an attack across hosts is found).", valueName: "name"))
    var host: String?

    @Option(name: .long, help: ArgumentHelp("1: read and detect on one thread; 2: read on a second thread while detecting (the same results; default: 2 on a machine with two cores or more).", valueName: "n"))
    var threads: Int = min(2, ProcessInfo.processInfo.activeProcessorCount)

    @OptionGroup var parsing: ParseOptionGroup

    @OptionGroup var configFile: ConfigOption

    func validate() throws {
        if let o = output, !["json", "ndjson", "table"].contains(o) { throw ValidationError("unknown output '\(o)': use json, ndjson or table") }
        if paths.isEmpty && !parsing.journal { throw ValidationError("give the logs to analyse: files, folders, - for standard input, or --journal") }
        if Severity(named: minSeverity) == nil { throw ValidationError("unknown severity '\(minSeverity)': use low, medium, high or critical") }
        if threads != 1 && threads != 2 { throw ValidationError("--threads must be 1 or 2") }
    }

    func run() throws {
        let m: TriplineModel
        do { m = try TriplineModel.load(from: model.resolved) } catch {
            printError("tripline analyze: \(error)")
            throw ExitCode(2)
        }
        // The thresholds the model was trained with, unless a config file says otherwise.
        let config = try configFile.detection(base: m.config)
        // Anomalies are written out as their incidents close and read back in order: a log
        // with tens of thousands of incidents costs a few dozen bytes of memory for each.
        let spool = AnomalySpool()
        let hostFilter = host.map { AnomalyFilter(host: $0) }
        let analysis = Analysis.run(paths: parsing.inputs(paths), reader: parsing.reader(), model: m, config: config,
                                    minimumSeverity: Severity(named: minSeverity) ?? .low, threads: threads,
                                    handing: { a in if hostFilter?.matches(a) ?? true { spool.append(a) } })
        if analysis.summary.nothingRead {
            printError(analysis.summary.nothingReadReport(command: "analyze"))
            throw ExitCode(2)
        }
        var out = BufferedOutput()
        let format = output ?? (isatty(1) != 0 ? "table" : "json")
        switch format {
        case "ndjson":
            spool.forEachInTimeOrder { e in
                out.write(spool.json(e))
                out.write([0x0A])
            }
        case "table":
            AnomalyTable.render(analysis, spool, into: &out)
        default:
            var w = JSONWriter()
            analysis.writeJSONHead(to: &w, pretty: true, count: spool.count, bySeverity: spool.bySeverity)
            out.write(w.bytes)
            var first = true
            spool.forEachInTimeOrder { e in
                out.write(Array((first ? "\n    " : ",\n    ").utf8))
                out.write(spool.json(e))
                first = false
            }
            w = JSONWriter()
            analysis.writeJSONTail(to: &w, pretty: true, empty: spool.count == 0)
            w.bytes.append(0x0A)
            out.write(w.bytes)
        }
        out.flush()
        if analysis.summary.problemLines > 0 || !analysis.summary.unreadable.isEmpty || !analysis.summary.passedOver.isEmpty {
            printError(analysis.summary.report())
        }
        // Done in part: some of the files named could not be read (see the README's exit codes).
        if !analysis.summary.unreadable.isEmpty { throw ExitCode(1) }
    }
}

/// The `table` output: one line per anomaly, every log-derived field made terminal-safe.
enum AnomalyTable {
    /// Writes the table to `output` a line at a time (a log of tens of thousands of incidents
    /// makes a table of megabytes, which is not built whole in memory).
    static func render(_ a: Analysis, _ spool: AnomalySpool, into output: inout BufferedOutput) {
        var out = "\(a.eventsAnalyzed) events analysed, \(spool.count) anomalies"
        let sev = spool.bySeverity
        out += " (" + Severity.allCases.reversed().map { "\(sev[$0] ?? 0) \($0.rawValue)" }.joined(separator: ", ") + ")\n"
        guard spool.count > 0 else { return output.write(out) }
        out += "\n" + pad("SEVERITY", 9) + pad("SCORE", 6) + pad("KIND", 24) + pad("ENTITY", 28) + pad("START (UTC)", 21) + pad("EVENTS", 7) + "REASON\n"
        output.write(out)
        // Highest score first; equal scores in report (time) order.
        spool.forEachByScore { e in
            guard var x = spool.anomaly(e) else { return }
            x.score = e.score // the JSON's is rounded to a tenth
            let start = String(x.start.iso8601.prefix(19)).replacingOccurrences(of: "T", with: " ")
            var line = pad(x.severity.rawValue.uppercased(), 9) + pad(String(Int(x.score.rounded())), 6) + pad(x.kind.rawValue, 24)
            line += pad(TerminalSafe.distinguishable(x.entity), 28) + pad(start, 21) + pad(String(x.eventCount), 7)
            line += TerminalSafe.sanitize(x.reasons.first ?? "") + "\n"
            output.write(line)
        }
    }

    static func pad(_ s: String, _ n: Int) -> String {
        let c = s.count
        if c >= n { return String(s.prefix(n - 1)) + " " }
        return s + String(repeating: " ", count: n - c)
    }
}
