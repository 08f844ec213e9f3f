import ArgumentParser
import Foundation
import Logging
import TriplineAlerts
import TriplineConfig
import TriplineCore
import TriplineCommandLine

/// Alert sinks for a command: the settings from the environment and the config file, and a
/// dispatcher over its spool (nil when no sink is configured).
enum Alerting {
    /// The effective alert settings; a mistake is printed and ends the command (exit 2).
    static func settings(_ file: ConfigFile?) throws -> AlertSettings {
        do { return try AlertSettings.resolve(file: file, environment: ProcessInfo.processInfo.environment) } catch {
            printError("tripline: \(error)")
            throw ExitCode(2)
        }
    }

    /// A started dispatcher for `settings` over `spool` (the settings' own spool folder wins),
    /// or nil without sinks. `quiet` keeps its log off standard error (the dashboard).
    static func dispatcher(_ settings: AlertSettings, defaultSpool: String, quiet: Bool = false) throws(AlertError) -> AlertDispatcher? {
        guard !settings.isEmpty else { return nil }
        var logger = quiet ? Logger(label: "tripline.alerts") { _ in SwiftLogNoOpLogHandler() }
                           : Logger(label: "tripline.alerts") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = Logger.Level(rawValue: ProcessInfo.processInfo.environment["LOG_LEVEL"] ?? "") ?? .info
        let d = try AlertDispatcher(settings: settings, spoolDirectory: settings.spoolDirectory ?? defaultSpool, logger: logger)
        return d
    }

    /// Like ``dispatcher(_:defaultSpool:quiet:)`` for a command that cannot run as asked without
    /// its alerts: a spool that cannot be opened is printed as `tripline COMMAND: …` and ends it (exit 2).
    static func dispatcherOrExit(_ settings: AlertSettings, defaultSpool: String, command: String) throws -> AlertDispatcher? {
        do { return try dispatcher(settings, defaultSpool: defaultSpool) } catch {
            printError("tripline \(command): \(error)")
            throw ExitCode(2)
        }
    }

    /// `1 alert`, `3 alerts`.
    static func count(_ n: Int) -> String { n == 1 ? "1 alert" : "\(n) alerts" }

    /// `slack (https://hooks.slack.com/…) ≥ high, splunk (…) ≥ critical`.
    static func describe(_ d: AlertDispatcher) -> String {
        d.settings.sinks.map { "\($0.kind.rawValue) (\(AlertSettings.redactedURL($0.url))) ≥ \($0.minSeverity.rawValue)" }.joined(separator: ", ")
    }
}

/// `tripline alert`: check the alert sinks.
struct AlertCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alert",
        abstract: "Send a test alert to a configured sink (slack, splunk, elasticsearch, webhook, or all).",
        discussion: """
        Sinks are switched on by TRIPLINE_SLACK_WEBHOOK_URL, TRIPLINE_SPLUNK_HEC_URL with \
        TRIPLINE_SPLUNK_HEC_TOKEN, TRIPLINE_ELASTICSEARCH_URL (TRIPLINE_ELASTICSEARCH_INDEX, \
        TRIPLINE_ELASTICSEARCH_API_KEY), TRIPLINE_WEBHOOK_URL (TRIPLINE_WEBHOOK_SECRET signs the body \
        with HMAC-SHA256 in X-Tripline-Signature-256), or [alerts.<sink>] in tripline.toml. \
        TRIPLINE_ALERT_MIN_SEVERITY (default high) sets which anomalies go out. batch, serve and \
        the dashboard send alerts through an on-disk spool; this command sends one clearly marked \
        test alert straight away and says what the receiver answered. Exit status 1 when a sink \
        did not take it.
        """
    )

    @Option(name: .long, help: ArgumentHelp("The sink to test: slack, splunk, elasticsearch, webhook or all.", valueName: "sink"))
    var test: String

    @Option(name: .shortAndLong, help: ArgumentHelp("text or json: [{\"sink\", \"target\", \"delivered\", \"status\", \"error\", \"seconds\"}] (default: text).", valueName: "format"))
    var output = "text"

    @OptionGroup var configFile: ConfigOption

    func validate() throws {
        if !["text", "json"].contains(output) { throw ValidationError("unknown output '\(output)': use text or json") }
    }

    func run() async throws {
        let settings = try Alerting.settings(try configFile.file())
        let configured = settings.sinks.map(\.kind.rawValue)
        let wanted: [AlertSinkKind]
        if test == "all" {
            wanted = settings.sinks.map(\.kind)
        } else if let k = AlertSinkKind(rawValue: test), configured.contains(test) {
            wanted = [k]
        } else {
            let known = AlertSinkKind.allCases.map(\.rawValue) + ["all"]
            printError("tripline alert: " + (known.contains(test) ? "\(AlertError.noSuchSink(name: test, configured: configured))"
                                                                   : "unknown sink '\(TerminalSafe.sanitize(test))' (choose \(known.joined(separator: ", ")))"))
            throw ExitCode(2)
        }
        if wanted.isEmpty {
            printError("tripline alert: \(AlertError.noSuchSink(name: test, configured: []))")
            throw ExitCode(2)
        }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("tripline-alert-test-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        var only = settings
        only.sinks = settings.sinks.filter { wanted.contains($0.kind) }
        only.spoolDirectory = scratch
        guard let d = try Alerting.dispatcher(only, defaultSpool: scratch, quiet: true) else { return }
        var failed = false
        var json = JSONWriter()
        json.raw("[")
        for (i, k) in wanted.enumerated() {
            let r = await d.sendTest(to: k)
            let took = String(format: "%.2f s", r.seconds)
            var why: String?
            switch r.outcome {
            case .delivered: why = nil
            case .rejected(let w), .retry(let w, _): why = w
            case .partial(_, _, let w): why = w
            case .tooLarge: why = "HTTP 413"
            }
            if why != nil { failed = true }
            if output == "json" {
                if i > 0 { json.raw(",") }
                json.raw("{"); json.key("sink"); json.string(k.rawValue); json.raw(","); json.key("target"); json.string(r.target)
                json.raw(","); json.key("delivered"); json.bool(why == nil)
                json.raw(","); json.key("status"); if let s = r.status { json.int(s) } else { json.raw("null") }
                json.raw(","); json.key("error"); if let why { json.string(why) } else { json.raw("null") }
                json.raw(","); json.key("seconds"); json.double(r.seconds); json.raw("}")
            } else if let why {
                print("\(r.target): test alert NOT delivered: \(why) (\(took))")
            } else {
                print("\(r.target): test alert delivered (HTTP \(r.status ?? 0), \(took))")
            }
        }
        if output == "json" {
            json.raw("]\n")
            FileHandle.standardOutput.write(Data(json.bytes))
        }
        await d.shutdown()
        if failed { throw ExitCode(1) }
    }
}
