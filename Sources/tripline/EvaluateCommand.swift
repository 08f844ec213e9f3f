import ArgumentParser
import Foundation
import TriplineCore
import TriplineGenerator
import TriplineCommandLine

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

    @Option(name: .shortAndLong, help: ArgumentHelp("text or json (default: text).", valueName: "format"))
    var output = "text"

    @OptionGroup var configFile: ConfigOption

    func validate() throws {
        guard ["syslog", "ndjson"].contains(form) else { throw ValidationError("--form must be syslog or ndjson") }
        guard Severity(named: minSeverity) != nil else { throw ValidationError("unknown severity '\(minSeverity)'") }
        guard ["text", "json"].contains(output) else { throw ValidationError("unknown output '\(output)': use text or json") }
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
        if output == "json" {
            // {"folder", "form", "trained_events", "events_analyzed", "anomalies", "kinds": {kind:
            // {"found", "planted", "recall", "on_attack", "reported", "precision"}}, "all": {...},
            // "missed": [label ids], "false_positives": [anomaly ids]}
            var w = JSONWriter()
            func score(_ found: Int, _ planted: Int, _ on: Int, _ reported: Int) {
                w.raw("{"); w.key("found"); w.int(found); w.raw(","); w.key("planted"); w.int(planted)
                w.raw(","); w.key("recall"); if planted > 0 { w.double(Double(found) / Double(planted)) } else { w.raw("null") }
                w.raw(","); w.key("on_attack"); w.int(on); w.raw(","); w.key("reported"); w.int(reported)
                w.raw(","); w.key("precision"); if reported > 0 { w.double(Double(on) / Double(reported)) } else { w.raw("null") }
                w.raw("}")
            }
            w.raw("{"); w.key("folder"); w.string(directory); w.raw(","); w.key("form"); w.string(form)
            w.raw(","); w.key("trained_events"); w.int(model.training.events)
            w.raw(","); w.key("events_analyzed"); w.int(analysis.eventsAnalyzed)
            w.raw(","); w.key("anomalies"); w.int(analysis.anomalies.count)
            w.raw(","); w.key("kinds"); w.raw("{")
            let kinds = Set(ev.recall.keys).union(ev.precision.keys).sorted()
            var totals = (0, 0, 0, 0)
            for (i, k) in kinds.enumerated() {
                if i > 0 { w.raw(",") }
                let r = ev.recall[k] ?? (0, 0), p = ev.precision[k] ?? (0, 0)
                totals = (totals.0 + r.found, totals.1 + r.planted, totals.2 + p.onAttack, totals.3 + p.reported)
                w.string(k); w.raw(":"); score(r.found, r.planted, p.onAttack, p.reported)
            }
            w.raw("}"); w.raw(","); w.key("all"); score(totals.0, totals.1, totals.2, totals.3)
            w.raw(","); w.key("missed"); w.value(.array(ev.missed.map { .string($0.id) }))
            w.raw(","); w.key("false_positives"); w.value(.array(ev.falsePositives.map { .string($0.id) }))
            w.raw("}\n")
            FileHandle.standardOutput.write(Data(w.bytes))
            return
        }
        print("\(directory) (\(form)): trained on \(model.training.events) events (\(config.baselineDays ?? 0) days), analysed \(analysis.eventsAnalyzed), \(analysis.anomalies.count) anomalies")
        printSafe(ev.report())
    }
}
