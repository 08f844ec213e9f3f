import ArgumentParser
import Foundation
import TriplineAlerts
import TriplineConfig
import TriplineCore
import TriplineEngine
import TriplineCommandLine

/// `tripline batch`: scheduled runs over a log folder, reading only what is new each time.
struct BatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Analyse what is new in a log folder, once (for cron) or every N seconds, writing report sets.",
        discussion: """
        Each run reads only new files and the lines appended to known ones since the last run \
        (tracked by device and inode in OUTPUT/state.json, so rotation is handled; a last line \
        still being written waits for the next run), runs the detector over them and writes \
        OUTPUT/runs/<UTC time>/ with anomalies.json, anomalies.csv and summary.txt; OUTPUT/latest \
        points at the newest. A run is recorded all at once, so a crash or kill -9 neither skips \
        nor repeats lines. --interval loops until SIGTERM or Ctrl-C, finishing the run under way. \
        LOG_DIR, OUTPUT_DIR and BATCH_INTERVAL come from the environment when the flags are not \
        given. Alert sinks (see tripline alert --help) get the anomalies at or above their minimum \
        severity through a spool in OUTPUT/alert_spool (or TRIPLINE_ALERT_SPOOL_DIR); alerts a \
        receiver did not take stay there and go out with the next run. With --once the exit \
        status is 1 when a file could not be read, 2 when the run could not be written, 3 when \
        alerts are still waiting after [alerts] flush_timeout seconds (30).
        """
    )

    @Option(name: .long, help: ArgumentHelp("Folder of logs (default: $LOG_DIR).", valueName: "dir"))
    var logDir: String?

    @Option(name: .long, help: ArgumentHelp("Folder for the reports and the state (default: $OUTPUT_DIR, else reports in the state folder: $STATE_DIRECTORY under systemd, else ~/.local/state/tripline).", valueName: "dir"))
    var outputDir: String?

    @Flag(name: .long, help: "Run once and exit (for cron).")
    var once = false

    @Option(name: .long, help: ArgumentHelp("Run every this many seconds until stopped (default: $BATCH_INTERVAL).", valueName: "seconds"))
    var interval: Double?

    @Option(name: .long, help: ArgumentHelp("Keep only the newest N run folders, deleting older ones after each run (default: keep all).", valueName: "n"))
    var keepRuns: Int?

    @Flag(name: .long, help: "Read the local systemd journal too: each run reads the entries written since the last one (its position is kept with the state). A --log-dir that is a journal folder (/var/log/journal) is read the same way.")
    var journal = false

    @OptionGroup var model: ModelDirOption

    @OptionGroup var configFile: ConfigOption

    nonisolated(unsafe) static var stopFlag: sig_atomic_t = 0

    func run() async throws {
        let env = ProcessInfo.processInfo.environment
        guard let logDir = logDir ?? env["LOG_DIR"].flatMap({ $0.isEmpty ? nil : $0 }) else {
            throw ValidationError("no log folder: pass --log-dir DIR or set LOG_DIR")
        }
        let outputDir = outputDir ?? env["OUTPUT_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? (ConfigLocations.stateFolder.path + "/reports")
        var every = interval
        if every == nil, !once, let raw = env["BATCH_INTERVAL"], !raw.isEmpty {
            guard let v = Double(raw) else { throw ValidationError("environment variable BATCH_INTERVAL='\(raw)' is not a number of seconds") }
            every = v
        }
        if once && interval != nil { throw ValidationError("choose --once or --interval, not both") }
        if !once && every == nil { throw ValidationError("choose --once (for cron) or --interval SECONDS (or set BATCH_INTERVAL)") }
        if let e = every, !(e >= 1) { throw ValidationError("--interval must be at least 1 second") }
        if let k = keepRuns, k < 1 { throw ValidationError("--keep-runs must be at least 1 (the newest run holds the state a crash recovers from)") }

        let m: TriplineModel?
        do { m = try TriplineModel.load(from: model.resolved) } catch {
            if case .missing = error { m = nil } else {
                printError("tripline batch: \(error)")
                throw ExitCode(2)
            }
        }
        if m == nil { printError("tripline batch: no model in \(model.resolved): rules only (run tripline train for the rest)") }
        let file = try configFile.file()
        let overrides = file?.overrides ?? DetectionOverrides()
        let alertSettings = try Alerting.settings(file)
        let alerts = try Alerting.dispatcherOrExit(alertSettings, defaultSpool: outputDir + "/alert_spool", command: "batch")
        if let alerts {
            let waiting = alerts.pendingCount
            printError("tripline batch: alerts to \(Alerting.describe(alerts))" + (waiting > 0 ? "; \(waiting) waiting from before" : ""))
        }
        var runner = BatchRunner(logDirectory: logDir, outputDirectory: outputDir, model: m, config: overrides.config(for: m))
        let modelPath = TriplineModel.path(in: model.resolved)
        var modelStamp = FileStamp(modelPath)
        runner.keepRuns = keepRuns
        if journal { runner.journals = [LogReader.systemJournal] }

        let stop: @convention(c) (Int32) -> Void = { _ in BatchCommand.stopFlag = 1 }
        signal(SIGTERM, stop)
        signal(SIGINT, stop)
        var failed = false
        repeat {
            // A model retrained between runs (`tripline train` writes model.json anew) is used
            // from the next run on; one that cannot be read leaves the model in use.
            if let stamp = FileStamp(modelPath), stamp != modelStamp {
                modelStamp = stamp
                do {
                    let fresh = try TriplineModel.load(from: model.resolved)
                    runner.model = fresh
                    runner.config = overrides.config(for: fresh)
                    printError("tripline batch: \(modelPath) changed: detecting with the model trained \(fresh.createdAt) from now on")
                } catch {
                    printError("tripline batch: \(modelPath) changed but cannot be used (\(error)); the model in use stays")
                }
            }
            do {
                let r = try runner.runOnce { anomalies in
                    if let alerts { try alerts.queue(anomalies) }
                }
                alerts?.start()
                let bySev = Severity.allCases.reversed().map { s in "\(r.anomalies.filter { $0.severity == s }.count) \(s.rawValue)" }
                printError("tripline batch: run \(r.runID): \(r.files.count) files, \(r.linesRead) new lines, \(r.eventsAnalyzed) events, " +
                           "\(r.anomalies.count) anomalies (\(bySev.joined(separator: ", "))) in \(String(format: "%.2f", r.seconds)) s → \(r.directory)" +
                           (r.pruned > 0 ? " (\(r.pruned) old run\(r.pruned == 1 ? "" : "s") deleted)" : ""))
                for p in r.problems { printError("tripline batch: cannot read \(p)") }
                if !r.problems.isEmpty { failed = true }
            } catch {
                printError("tripline batch: \(error)")
                if once { throw ExitCode(2) }
            }
            if let e = every {
                let until = Date().addingTimeInterval(e)
                while BatchCommand.stopFlag == 0, Date() < until { try? await Task.sleep(nanoseconds: 200_000_000) }
            }
        } while !once && BatchCommand.stopFlag == 0
        var undelivered = 0
        if let alerts {
            alerts.start()
            undelivered = await alerts.flush(timeout: once ? alertSettings.flushTimeout : min(5, alertSettings.flushTimeout))
            let delivered = alerts.status().reduce(0) { $0 + $1.delivered }
            await alerts.shutdown()
            if delivered > 0 || undelivered > 0 {
                printError("tripline batch: \(Alerting.count(delivered)) delivered" + (undelivered > 0
                    ? "; \(undelivered) not delivered yet, kept in \(alerts.spoolDirectory) for the next run" : ""))
            }
        }
        if once && failed { throw ExitCode(1) }
        if once && undelivered > 0 { throw ExitCode(3) }
    }
}

/// Which file is at a path, and its version: a rename over it or a rewrite changes the stamp.
struct FileStamp: Equatable {
    let device: UInt64, inode: UInt64, size: Int64, modified: Int64, modifiedNanos: Int64

    /// The stamp of the file at `path`, or nil when there is none.
    init?(_ path: String) {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        device = UInt64(st.st_dev); inode = UInt64(st.st_ino); size = Int64(st.st_size)
        modified = Int64(st.st_mtim.tv_sec); modifiedNanos = Int64(st.st_mtim.tv_nsec)
    }
}
