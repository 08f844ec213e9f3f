import ArgumentParser
import Foundation
import TriplineCore
import TriplineEngine
import TriplineCommandLine

/// `tripline export`: anomalies from a JSON result to NDJSON/ECS or CSV for SIEM import.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Convert anomalies from a JSON result to ECS NDJSON, NDJSON or CSV for SIEM import.",
        discussion: """
        Reads what Tripline writes: the document of 'tripline analyze --output json' (and of the \
        REST API), the dashboard's export file, a JSON array of anomalies, or NDJSON (- for \
        standard input). -o/--output ecs writes one Elastic Common Schema document per line \
        (@timestamp, event.kind=alert, event.severity, source.ip, user.name, host.name, \
        threat.technique.id, rule.name, tripline.*), ready for Elasticsearch's _bulk or Filebeat; \
        ndjson one anomaly per line as analyze prints it; csv a header and one row per anomaly \
        (cells that would start a spreadsheet formula are quoted with an apostrophe). \
        --output-file writes a file atomically instead of standard output. (Before 0.2: \
        --format for the output format and -o for the file; both still work.)
        """
    )

    @Argument(help: ArgumentHelp("A JSON result file (or - for standard input).", valueName: "file"))
    var input: String

    @Option(name: .shortAndLong, help: ArgumentHelp("ecs, ndjson or csv (default: ecs).", valueName: "format"))
    var output: String?

    @Option(name: .long, help: ArgumentHelp("File to write (atomically) instead of standard output.", valueName: "file"))
    var outputFile: String?

    /// The spelling before 0.2: `--format` was the output format.
    @Option(name: .long, help: .hidden)
    var format: String?

    static let formats = ["ecs", "ndjson", "csv"]

    /// The output format and file, from the flags as they are now or as they were (`--format
    /// csv -o FILE`: a value of -o that is not a format is the file).
    var resolved: (format: String, file: String?) {
        if let output, !ExportCommand.formats.contains(output) { return (format ?? "ecs", outputFile ?? output) }
        return (output ?? format ?? "ecs", outputFile)
    }

    @Option(name: .long, help: ArgumentHelp("Only anomalies at or above: low, medium, high or critical.", valueName: "severity"))
    var minSeverity: String = "low"

    func validate() throws {
        if let output, !ExportCommand.formats.contains(output), outputFile != nil {
            throw ValidationError("unknown output '\(output)': use ecs, ndjson or csv (--output-file names the file)")
        }
        if let format, !ExportCommand.formats.contains(format) { throw ValidationError("unknown format '\(format)': use ecs, ndjson or csv") }
        if Severity(named: minSeverity) == nil { throw ValidationError("unknown severity '\(minSeverity)': use low, medium, high or critical") }
    }

    func run() throws {
        let anomalies = try readAnomalies(input, command: "export")
        let (format, output) = resolved
        if let o = self.output, !ExportCommand.formats.contains(o) {
            printError("tripline export: writing the file \(o) (-o FILE is the old spelling of --output-file FILE; -o is now the format: ecs, ndjson or csv)")
        }
        let minimum = Severity(named: minSeverity) ?? .low
        let chosen = anomalies.filter { $0.severity >= minimum }
        var out: [UInt8] = []
        switch format {
        case "csv":
            out.append(contentsOf: (AnomalyFormats.csvHeader.joined(separator: ",") + "\r\n").utf8)
            for a in chosen { out.append(contentsOf: (AnomalyFormats.csvRow(a) + "\r\n").utf8) }
        default:
            for a in chosen {
                var w = JSONWriter()
                if format == "ecs" { AnomalyFormats.writeECS(a, to: &w) } else { a.writeJSON(to: &w) }
                out.append(contentsOf: w.bytes)
                out.append(0x0A)
            }
        }
        if let output {
            do { try AtomicFile.write(out, to: output, mode: AtomicFile.reportMode) } catch {
                printError("tripline export: \(error)")
                throw ExitCode(2)
            }
            printError("tripline export: \(chosen.count) anomalies (\(format)) → \(output)")
        } else {
            FileHandle.standardOutput.write(Data(out))
        }
    }
}
