import ArgumentParser
import Foundation
import TriplineAlerts
import TriplineConfig
import TriplineCore
import TriplineEngine
import TriplineTUI
import TriplineCommandLine

/// `tripline` / `tripline dashboard`: the live console.
struct DashboardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "The live dashboard: follow auth logs and watch attacks appear (the default command).",
        discussion: """
        Follows files as tail -F does (rotation, truncation, files that appear later, globs in \
        quotes such as '/var/log/auth.log*'). With no paths it follows /var/log/auth.log and \
        /var/log/secure, whichever exist, else the systemd journal (--journal follows it always). --replay SPEED plays a file back with its own timing, \
        SPEED times faster. Press ? in the dashboard for the keys. Without a model the rules still \
        run; R trains one from the files followed. Configured alert sinks (tripline alert --help) \
        get the anomalies as they reach their minimum severity (and again when they escalate), \
        through a spool in MODEL_DIR/alert_spool/dashboard; the Model pane shows how delivery goes.
        """
    )

    @Argument(help: ArgumentHelp("Files or quoted globs to follow, or - for standard input (keys then come from the terminal).", valueName: "path"))
    var paths: [String] = []

    @OptionGroup var model: ModelDirOption

    @Flag(name: .long, help: "Read the files from the start (default: from the end, after recent history).")
    var fromStart = false

    @Option(name: .long, help: ArgumentHelp("Replay the files with their original timing, this many times faster.", valueName: "speed"))
    var replay: Double?

    @Option(name: .long, help: ArgumentHelp("With --replay: read what comes before this time at once, then replay from it (ISO 8601, e.g. 2026-03-03T06:30:00Z).", valueName: "time"))
    var replayFrom: String?

    @Option(name: .long, help: ArgumentHelp("Theme name (a file in the themes folder): dark, light, high-contrast.", valueName: "name"))
    var theme: String?

    @Option(name: .long, help: ArgumentHelp("Folder of theme files (default: $TRIPLINE_THEMES, else ~/.local/share/tripline/themes, else the install prefix's share/tripline/themes, else ./themes).", valueName: "dir"))
    var themesDir: String?

    @Flag(name: .long, help: "No colour (also when NO_COLOR is set).")
    var noColor = false

    @Flag(name: .long, help: "Follow files that do not exist yet, from when they appear (without it, a missing file is an error).")
    var wait = false

    @OptionGroup var parsing: ParseOptionGroup

    @OptionGroup var configFile: ConfigOption

    func validate() throws {
        if let r = replay, !(r > 0) { throw ValidationError("--replay must be a positive speed-up, such as 60") }
        if let f = replayFrom {
            guard replay != nil else { throw ValidationError("--replay-from goes with --replay SPEED") }
            guard Timestamp(iso8601: f) != nil else { throw ValidationError("--replay-from '\(f)' is not an ISO 8601 time, such as 2026-03-03T06:30:00Z") }
        }
        // The dashboard is the default command, so `tripline analyse FILE` would follow a file
        // called "analyse": a word that is no file and looks like a command is a typo.
        if let first = paths.first, first != "-", !FileManager.default.fileExists(atPath: first),
           let suggestion = CommandTypo.suggestion(for: first, among: Tripline.configuration.subcommands.compactMap { $0.configuration.commandName }) {
            throw ValidationError("unknown command '\(first)': did you mean '\(suggestion)'? (tripline --help lists the commands)")
        }
        if !wait {
            for p in paths where p != "-" && !CommandTypo.isGlob(p) && !FileManager.default.fileExists(atPath: p) {
                throw ValidationError("no such file: \(p) (pass --wait to follow it once it appears, or quote a glob)")
            }
        }
        if paths.contains("-") {
            if paths.count > 1 { throw ValidationError("'-' (standard input) cannot be mixed with files; run one dashboard per source") }
            if replay != nil { throw ValidationError("--replay needs files (it sorts them by time first); '-' is read as it comes") }
        }
    }

    func run() throws {
        var follow = parsing.inputs(paths)
        if follow.isEmpty {
            follow = ["/var/log/auth.log", "/var/log/secure"].filter { FileManager.default.isReadableFile(atPath: $0) }
            // Debian 12 and later keep no auth.log: the journal has it all.
            if follow.isEmpty, (try? JournalReader(localSystem: ParseOptions())) != nil { follow = [LogReader.systemJournal] }
            guard !follow.isEmpty else {
                printError("""
                tripline: no auth log to follow: /var/log/auth.log and /var/log/secure are missing or not readable, and so is the system journal.
                Pass the files to follow, for example:
                  tripline dashboard /var/log/auth.log          (may need sudo)
                  tripline dashboard --journal                  (may need sudo or the systemd-journal group)
                  tripline dashboard test_logs/auth.log --replay 600
                """)
                throw ExitCode(2)
            }
        }
        if replay != nil {
            for p in follow where !FileManager.default.isReadableFile(atPath: p) {
                printError("tripline: cannot read \(p) to replay it")
                throw ExitCode(2)
            }
        }
        let reader = parsing.reader()
        var opts = DetectionEngine.Options(paths: follow, modelDirectory: model.resolved)
        opts.fromStart = fromStart
        opts.replaySpeed = replay
        opts.replayFrom = replayFrom.flatMap { Timestamp(iso8601: $0) }
        opts.parse = reader.options
        opts.format = reader.format
        let file = try configFile.file()
        opts.overrides = file?.overrides ?? DetectionOverrides()
        let themes = Theme.loadAll(from: DashboardCommand.themesDirectory(themesDir))
        for p in themes.problems { printError("tripline: theme skipped: \(p)") }
        if let t = theme, !themes.themes.contains(where: { $0.name == t }) {
            printError("tripline: no theme '\(t)' (available: \(themes.themes.map(\.name).joined(separator: ", ")))")
            throw ExitCode(2)
        }
        let noColour = noColor || !(ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty
        let alertSettings = try Alerting.settings(file)
        var alerts: AlertDispatcher?
        do { alerts = try Alerting.dispatcher(alertSettings, defaultSpool: model.resolved + "/alert_spool/dashboard", quiet: true) } catch {
            // Another dashboard has the spool: this one runs without alerts rather than not at all.
            printError("tripline: alerts off in this dashboard: \(error)")
            alerts = nil
        }
        if let alerts {
            opts.onAnomalies = { alerts.offer($0) }
            alerts.start()
        }
        let engine = DetectionEngine(options: opts)
        let label = (replay != nil ? "replaying " : "following ") + follow.joined(separator: " ")
        let app = DashboardApp(engine: engine, themes: themes.themes, initialTheme: theme, noColor: noColour,
                               sourceLabel: follow == ["-"] ? "reading standard input" : label)
        app.keysFromTTY = follow == ["-"]
        if let alerts { app.alertStatus = { alerts.summary } }
        defer {
            if let alerts {
                // Give delivery a moment, then leave the rest in the spool for the next start.
                let done = DispatchSemaphore(value: 0)
                Task.detached {
                    await alerts.shutdown(flushFor: min(3, alertSettings.flushTimeout))
                    done.signal()
                }
                done.wait()
                if alerts.pendingCount > 0 {
                    printError("tripline: \(Alerting.count(alerts.pendingCount)) not delivered yet, kept in \(alerts.spoolDirectory) for the next start")
                }
            }
        }
        do { try app.run() } catch {
            printError("tripline: \(error)")
            throw ExitCode(2)
        }
        // Said again once the terminal is back: the screen may have been too small to read it.
        if let p = engine.snapshots.get().modelProblem, p.damaged, engine.snapshots.get().model == nil {
            printError("tripline: ran with the rules only: \(p.text)")
        }
    }

    /// `--themes-dir`, `$TRIPLINE_THEMES`, the XDG data folder, the install prefix beside the binary, `./themes`.
    static func themesDirectory(_ explicit: String?) -> String {
        if let explicit { return explicit }
        let env = ProcessInfo.processInfo.environment
        if let t = env["TRIPLINE_THEMES"], !t.isEmpty { return t }
        let fm = FileManager.default
        // The user's own (XDG data folder), then the install prefix's (beside the binary, found
        // through /proc/self/exe: run from PATH, arguments[0] is a bare name), then a checkout's.
        var candidates: [String] = []
        if let x = env["XDG_DATA_HOME"], x.hasPrefix("/") { candidates.append(x + "/tripline/themes") }
        else if let h = env["HOME"], h.hasPrefix("/") { candidates.append(h + "/.local/share/tripline/themes") }
        let exe = (try? fm.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var dir = URL(fileURLWithPath: exe).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            candidates.append(dir.appendingPathComponent("share/tripline/themes").path)
            candidates.append(dir.appendingPathComponent("themes").path)
            dir.deleteLastPathComponent()
        }
        candidates += ["/usr/share/tripline/themes", "themes"]
        return candidates.first { fm.fileExists(atPath: $0) } ?? "themes"
    }
}
