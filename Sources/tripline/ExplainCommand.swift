import ArgumentParser
import Foundation
import TriplineConfig
import TriplineCore
import TriplineEngine
import TriplineCommandLine

/// `tripline explain ID [RESULT]`: one anomaly in full, as the MCP tool `explain_anomaly` gives it.
struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Explain one anomaly: its reasons, techniques, the log lines behind it and the baselines of its user and source.",
        discussion: """
        Finds the anomaly in RESULT: the document of 'tripline analyze --output json' (or of the \
        REST API), NDJSON, the dashboard's export file (- for standard input). Without RESULT, in \
        the reports of 'tripline batch' (--output-dir, else $OUTPUT_DIR, else the state folder's \
        reports), newest run first. The id may be shortened to a unique prefix (TL-3f2a). The \
        evidence lines are read from the files named in it, where they can be read; the \
        baselines come from the model (--model-dir). --output json prints what the MCP tool \
        answers: {"anomaly", "summary", "evidence_lines", "baseline"}.
        """
    )

    @Argument(help: ArgumentHelp("The anomaly's id (TL-…), or a unique prefix of it.", valueName: "id"))
    var id: String

    @Argument(help: ArgumentHelp("A result file: analyze --output json, NDJSON, an export (- for standard input).", valueName: "result"))
    var result: String?

    @Option(name: .shortAndLong, help: ArgumentHelp("text or json (default: text).", valueName: "format"))
    var output: String = "text"

    @Option(name: .long, help: ArgumentHelp("Folder of batch reports to search when no result is given (default: $OUTPUT_DIR, else the state folder's reports).", valueName: "dir"))
    var outputDir: String?

    @OptionGroup var model: ModelDirOption

    func validate() throws {
        if !["text", "json"].contains(output) { throw ValidationError("unknown output '\(output)': use text or json") }
        if id.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("give the anomaly's id (TL-…)") }
    }

    func run() throws {
        let (anomaly, from) = try find()
        let m = try? TriplineModel.load(from: model.resolved)
        let explanation = AnomalyExplanation(
            anomaly: anomaly,
            evidenceLines: AnomalyExplanation.evidenceLines(anomaly, open: AnomalyExplanation.openRegularFile),
            baseline: AnomalyExplanation.baseline(for: anomaly, model: m, noModel: "no model in \(model.resolved) (tripline train)"))
        if output == "json" {
            var w = JSONWriter()
            explanation.writeJSON(to: &w)
            w.bytes.append(0x0A)
            FileHandle.standardOutput.write(Data(w.bytes))
        } else {
            printSafe(explanation.text + "\nfrom \(TerminalSafe.sanitize(from))", terminator: "\n")
        }
    }

    /// The anomaly and the file it was found in.
    private func find() throws -> (Anomaly, String) {
        let sources: [String]
        if let result {
            sources = [result]
        } else {
            let dir = outputDir ?? ProcessInfo.processInfo.environment["OUTPUT_DIR"].flatMap { $0.isEmpty ? nil : $0 }
                ?? (ConfigLocations.stateFolder.path + "/reports")
            let runs = ((try? FileManager.default.contentsOfDirectory(atPath: dir + "/runs")) ?? [])
                .filter { !$0.hasPrefix(".") && !$0.hasSuffix(".partial") }.sorted(by: >)
            sources = runs.map { dir + "/runs/" + $0 + "/anomalies.json" }.filter { FileManager.default.fileExists(atPath: $0) }
            if sources.isEmpty {
                printError("tripline explain: no result given and no batch reports in \(dir)/runs: name the result file (tripline analyze LOGS --output json > result.json)")
                throw ExitCode(2)
            }
        }
        let wanted = id.trimmingCharacters(in: .whitespaces).lowercased()
        var searched = 0
        for source in sources {
            let anomalies = try readAnomalies(source, command: "explain")
            searched += anomalies.count
            if let exact = anomalies.first(where: { $0.id.lowercased() == wanted }) { return (exact, source) }
            let byPrefix = anomalies.filter { $0.id.lowercased().hasPrefix(wanted) }
            if Set(byPrefix.map(\.id)).count > 1 {
                printError("tripline explain: '\(TerminalSafe.sanitize(id))' is the start of \(Set(byPrefix.map(\.id)).count) ids in \(source): give more of it (\(byPrefix.prefix(3).map(\.id).joined(separator: ", "))…)")
                throw ExitCode(2)
            }
            if let one = byPrefix.first { return (one, source) }
        }
        printError("tripline explain: no anomaly with id '\(TerminalSafe.sanitize(id))' among the \(searched) in \(sources.count == 1 ? sources[0] : "\(sources.count) batch reports")")
        throw ExitCode(2)
    }
}
