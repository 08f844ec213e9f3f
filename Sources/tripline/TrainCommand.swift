import ArgumentParser
import Foundation
import TriplineCore
import TriplineCommandLine

/// `tripline train`: learn baselines and the isolation forest from logs.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Learn what normal looks like from logs and write a model.",
        discussion: """
        Reads the logs (any format parse reads; folders are read one level deep), learns per-user, \
        per-source and per-host baselines (usual hours, sources, networks, hosts, login methods, \
        sudo use, activity volumes) and an isolation forest over per-event features, and writes \
        MODEL_DIR/model.json atomically. The rules run over the data first, and the events of the \
        incidents they find (medium and above) are left out, so that attacks in the history are not \
        learnt as normal (not for standard input, which is read once; --keep-incidents learns from \
        everything). CONTAMINATION and BASELINE_DAYS from the environment \
        are used when the flags are not given.
        """
    )

    @Argument(help: ArgumentHelp("Log files or folders to learn from (as analyze and parse take them); - for standard input.", valueName: "path"))
    var paths: [String] = []

    @Option(name: .long, parsing: .upToNextOption, help: ArgumentHelp("The same, as an option (kept for scripts written for it).", valueName: "path"))
    var dataPath: [String] = []

    /// Everything given to learn from, as paths or with --data-path.
    var inputs: [String] { paths + dataPath }

    @Option(name: .long, help: ArgumentHelp("Train on the first N days of the data only (default: $BASELINE_DAYS, else all of it).", valueName: "N"))
    var baselineDays: Double?

    @OptionGroup var model: ModelDirOption

    @Option(name: .long, help: ArgumentHelp("Share of training events the isolation forest treats as outliers (default: $CONTAMINATION, else 0.01).", valueName: "share"))
    var contamination: Double?

    @Flag(name: .long, help: "Learn from every event, the incidents the rules find in the data included.")
    var keepIncidents = false

    @Option(name: .long, help: "Random seed for sampling and the forest.")
    var seed: UInt64 = 42

    @Option(name: .shortAndLong, help: ArgumentHelp("text or json: what was learnt, for people or scripts (default: text).", valueName: "format"))
    var output = "text"

    @OptionGroup var parsing: ParseOptionGroup

    @OptionGroup var configFile: ConfigOption

    func validate() throws {
        guard !inputs.isEmpty || parsing.journal else { throw ValidationError("give the logs to learn from: files, folders, - for standard input, or --journal") }
        if let c = contamination, !(c > 0 && c < 0.5) { throw ValidationError("--contamination must be between 0 and 0.5, such as 0.01") }
        if let d = baselineDays, d <= 0 { throw ValidationError("--baseline-days must be positive") }
        if !["text", "json"].contains(output) { throw ValidationError("unknown output '\(output)': use text or json") }
    }

    func run() throws {
        // Flags, then the environment, then the config file, then the defaults.
        var config = try configFile.detection(base: DetectionConfig())
        config.contamination = try contamination ?? environmentNumber("CONTAMINATION") ?? config.contamination
        guard config.contamination > 0, config.contamination < 0.5 else {
            throw ValidationError("CONTAMINATION must be between 0 and 0.5, such as 0.01")
        }
        config.baselineDays = try baselineDays ?? environmentNumber("BASELINE_DAYS") ?? config.baselineDays
        var trainer = Trainer(config: config, seed: seed)
        trainer.excludeIncidents = !keepIncidents
        let (m, summary) = trainer.train(paths: parsing.inputs(inputs), reader: parsing.reader()) { p in
            // A phase starting says so; a count of 0 read as an error ("finding incidents: 0 events").
            printError(p.events == 0 ? "  \(p.phase)…" : "  \(p.phase): \(p.events) events")
        }
        if summary.events == 0 {
            if summary.nothingRead {
                printError(summary.nothingReadReport(command: "train"))
            } else {
                printError(summary.report())
            }
            printError("tripline train: no events could be read from \(TerminalSafe.sanitize(inputs.joined(separator: " "))); nothing to learn from")
            throw ExitCode(2)
        }
        do { try m.save(to: model.resolved) } catch {
            printError("tripline train: \(error)")
            throw ExitCode(2)
        }
        let t = m.training
        if output == "json" {
            // {"model", "events", "from", "to", "files", "baseline_days", "excluded": {"events",
            //  "incidents"} | null, "users", "service_accounts", "sources", "hosts",
            //  "forest": {"trees", "scored_events", "max_samples", "contamination", "threshold"} | null,
            //  "seconds", "lines_skipped"}
            var w = JSONWriter()
            w.raw("{"); w.key("model"); w.string(TriplineModel.path(in: model.resolved))
            w.raw(","); w.key("events"); w.int(t.events)
            w.raw(","); w.key("from"); if let f = t.from { w.string(f) } else { w.raw("null") }
            w.raw(","); w.key("to"); if let x = t.to { w.string(x) } else { w.raw("null") }
            w.raw(","); w.key("files"); w.value(.array(t.files.map { .string($0) }))
            w.raw(","); w.key("baseline_days"); if let d = t.baselineDays { w.double(d) } else { w.raw("null") }
            w.raw(","); w.key("excluded")
            if let x = t.excluded { w.raw("{"); w.key("events"); w.int(x.events); w.raw(","); w.key("incidents"); w.int(x.incidents); w.raw("}") } else { w.raw("null") }
            w.raw(","); w.key("users"); w.int(m.users.count)
            w.raw(","); w.key("service_accounts"); w.value(.array(m.serviceAccounts.map { .string($0) }))
            w.raw(","); w.key("sources"); w.int(m.sources.count)
            w.raw(","); w.key("hosts"); w.int(m.hosts.count)
            w.raw(","); w.key("forest")
            if let f = m.forest {
                w.raw("{"); w.key("trees"); w.int(f.trees.count); w.raw(","); w.key("scored_events"); w.int(t.scoredEvents)
                w.raw(","); w.key("max_samples"); w.int(f.maxSamples); w.raw(","); w.key("contamination"); w.double(f.contamination)
                w.raw(","); w.key("threshold"); w.double(f.offset); w.raw("}")
            } else { w.raw("null") }
            w.raw(","); w.key("seconds"); w.double(t.seconds)
            w.raw(","); w.key("lines_skipped"); w.int(summary.problemLines)
            w.raw("}\n")
            FileHandle.standardOutput.write(Data(w.bytes))
            if summary.problemLines > 0 || !summary.unreadable.isEmpty { printError(summary.report()) }
            return
        }
        var out = "trained on \(t.events) events (\(t.from ?? "?") to \(t.to ?? "?")) from \(t.files.count) file\(t.files.count == 1 ? "" : "s")"
        if let d = t.baselineDays { out += ", first \(d.formatted()) days" }
        if let x = t.excluded { out += "\n  \(x.summary)" } else if inputs.contains("-") { out += "\n  incidents not left out: standard input is read once" }
        out += "\n  entities: \(m.users.count) users (\(m.serviceAccounts.count) service accounts: \(m.serviceAccounts.prefix(8).joined(separator: ", "))), \(m.sources.count) sources, \(m.hosts.count) hosts"
        if let f = m.forest {
            out += "\n  isolation forest: \(f.trees.count) trees over \(t.scoredEvents) scored events (max_samples \(f.maxSamples)), contamination \(f.contamination), threshold \(String(format: "%.4f", f.offset))"
        } else {
            out += "\n  isolation forest: not trained (fewer than 2 scorable events)"
        }
        out += "\n  took \(String(format: "%.2f", t.seconds)) s; model written to \(TriplineModel.path(in: model.resolved))"
        printSafe(out)
        if summary.problemLines > 0 || !summary.unreadable.isEmpty { printError(summary.report()) }
    }
}
