import ArgumentParser
import Foundation
import TriplineCore
import TriplineGenerator

/// `tripline evaluate`: recall and precision on labelled generated logs.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Measure detection on logs made by tripline generate: recall and precision per attack kind.",
        discussion: """
        Trains on the folder's attack-free first days (or --baseline-days), analyses all of it, \
        matches anomalies to the planted attacks in labels/labels.json (same source or user, \
        overlapping time) and prints recall and precision per kind, the attacks missed and the \
        false positives. --form picks the syslog or NDJSON form of the same events.
        """
    )

    @Argument(help: ArgumentHelp("A folder made by tripline generate.", valueName: "dir"))
    var directory: String

    @Option(name: .long, help: "syslog or ndjson.")
    var form = "syslog"

    @Option(name: .long, help: "Days to train on (default: the folder's attack-free days).")
    var baselineDays: Double?

    @Option(name: .long, help: ArgumentHelp("Report only anomalies at or above this severity.", valueName: "severity"))
    var minSeverity = "low"

    @OptionGroup var configFile: ConfigOption

    func validate() throws {
        guard ["syslog", "ndjson"].contains(form) else { throw ValidationError("--form must be syslog or ndjson") }
        guard Severity(named: minSeverity) != nil else { throw ValidationError("unknown severity '\(minSeverity)'") }
    }

    func run() throws {
        let (labels, clean, _) = try Evaluation.labels(in: directory)
        let file = URL(fileURLWithPath: directory).appendingPathComponent(form == "syslog" ? GeneratorConfig.syslogFile : GeneratorConfig.ndjsonFile).path
        var config = try configFile.detection(base: DetectionConfig())
        config.baselineDays = baselineDays ?? Double(max(1, clean))
        let reader = LogReader(options: ParseOptions(timeZone: TimeZone(identifier: "UTC")!))
        let (model, _) = Trainer(config: config).train(paths: [file], reader: reader)
        let analysis = Analysis.run(paths: [file], reader: reader, model: model, config: config, minimumSeverity: Severity(named: minSeverity) ?? .low)
        let relevant = labels.filter { $0.shown(in: form) }
        let ev = Evaluation(anomalies: analysis.anomalies, labels: relevant)
        print("\(directory) (\(form)): trained on \(model.training.events) events (\(config.baselineDays ?? 0) days), analysed \(analysis.eventsAnalyzed), \(analysis.anomalies.count) anomalies")
        printSafe(ev.report())
    }
}
