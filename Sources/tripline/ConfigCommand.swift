import ArgumentParser
import Foundation
import TriplineAlerts
import TriplineConfig
import TriplineCore
import TriplineCommandLine

/// `tripline config`: the effective configuration and where each value comes from.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Print the effective configuration and where each value comes from (secrets masked).",
        discussion: """
        Precedence: a command's flags, then environment variables, then the environment file \
        ($TRIPLINE_ENV_FILE, else ~/.config/tripline/tripline.env, else \
        /etc/tripline/tripline.env; only the variables Tripline reads are taken), then the \
        configuration file (--config, else $TRIPLINE_CONFIG, else \
        ~/.config/tripline/tripline.toml, else /etc/tripline/tripline.toml), then the defaults. \
        Files in the working directory are read only when named. Flags are per command, so this \
        shows the rest. Unknown keys and bad values in either file are errors naming the key and file.
        """
    )

    @OptionGroup var configFile: ConfigOption

    @Option(name: .shortAndLong, help: ArgumentHelp("text or json (default: text).", valueName: "format"))
    var output = "text"

    func validate() throws {
        guard ["text", "json"].contains(output) else { throw ValidationError("unknown output '\(output)': use text or json") }
    }

    struct Row { let key: String; let value: String; let source: String }

    func run() throws {
        let file = try configFile.file()
        let env = ProcessInfo.processInfo.environment
        func fromEnv(_ name: String) -> (String, String)? {
            guard let v = env[name], !v.isEmpty else { return nil }
            return (v, DotEnv.origins[name].map { "\($0) (\(name))" } ?? "environment (\(name))")
        }
        let toml = file.map { "\($0.path)" }
        var rows: [Row] = []
        func add(_ key: String, env name: String?, toml value: String?, tomlKey: String, default d: String, secret: Bool = false, url: Bool = false, defaultSource: String = "default") {
            var r: (String, String)
            if let name, let e = fromEnv(name) { r = e }
            else if let value, let toml { r = (value, "\(toml) \(tomlKey)") }
            else { r = (d, defaultSource) }
            if r.1 != defaultSource {
                if url { r.0 = AlertSettings.redactedURL(r.0) } else if secret { r.0 = "set (\(r.0.count) characters, hidden)" }
            }
            rows.append(Row(key: key, value: r.0, source: r.1))
        }
        add("model_dir", env: "MODEL_DIR", toml: nil, tomlKey: "", default: ConfigLocations.modelFolder.path, defaultSource: "default (" + ConfigLocations.stateFolder.source + "/models)")
        add("log_dir", env: "LOG_DIR", toml: nil, tomlKey: "", default: "(none: batch needs --log-dir)")
        add("output_dir", env: "OUTPUT_DIR", toml: nil, tomlKey: "", default: ConfigLocations.stateFolder.path + "/reports", defaultSource: "default (" + ConfigLocations.stateFolder.source + "/reports)")
        add("batch_interval", env: "BATCH_INTERVAL", toml: nil, tomlKey: "", default: "(none: batch needs --once or --interval)")
        add("api.host", env: "API_HOST", toml: file?.api.host, tomlKey: "[api] host", default: "127.0.0.1")
        add("api.port", env: "API_PORT", toml: file?.api.port.map(String.init), tomlKey: "[api] port", default: "8000")
        add("api.token", env: "TRIPLINE_API_TOKEN", toml: file?.api.token, tomlKey: "[api] token", default: "(none: loopback only)", secret: true)
        add("api.rate_limit", env: "TRIPLINE_RATE_LIMIT", toml: file?.api.rateLimit.map(String.init), tomlKey: "[api] rate_limit", default: "100")
        add("api.max_body_bytes", env: "TRIPLINE_MAX_BODY_BYTES", toml: file?.api.maxBodyBytes.map(String.init), tomlKey: "[api] max_body_bytes", default: String(32 << 20))
        add("workers", env: "WORKERS", toml: nil, tomlKey: "", default: "(not used: one process uses every core)")
        let defaults = DetectionConfig()
        for k in DetectionConfig.keys {
            let envName = k == "contamination" ? "CONTAMINATION" : (k == "baseline_days" ? "BASELINE_DAYS" : nil)
            let fileValue = file?.detection[k].map(ConfigFile.number)
            add("detection.\(k)", env: envName, toml: fileValue, tomlKey: "[detection] \(k)", default: defaults.get(k).map(ConfigFile.number) ?? "(all data)")
        }
        let alerts = try Alerting.settings(file)
        let fa = file?.alerts
        add("alerts.min_severity", env: "TRIPLINE_ALERT_MIN_SEVERITY", toml: fa?.minSeverity?.rawValue, tomlKey: "[alerts] min_severity", default: "high")
        add("alerts.spool_dir", env: "TRIPLINE_ALERT_SPOOL_DIR", toml: fa?.spoolDirectory, tomlKey: "[alerts] spool_dir",
            default: "(batch: OUTPUT_DIR/alert_spool; serve, dashboard: MODEL_DIR/alert_spool/<command>)")
        add("alerts.flush_timeout", env: nil, toml: fa?.flushTimeout.map(ConfigFile.number), tomlKey: "[alerts] flush_timeout", default: ConfigFile.number(AlertSettings().flushTimeout))
        add("alerts.max_backoff", env: nil, toml: fa?.maxBackoff.map(ConfigFile.number), tomlKey: "[alerts] max_backoff", default: ConfigFile.number(AlertSettings().maxBackoff))
        add("alerts.max_spool_mb", env: nil, toml: fa?.maxSpoolMB.map(ConfigFile.number), tomlKey: "[alerts] max_spool_mb", default: ConfigFile.number(AlertSettings().maxSpoolMB))
        for kind in AlertSinkKind.allCases {
            let fs = fa?.sinks[kind]
            let section = "[alerts.\(kind.rawValue)]"
            let on = alerts.sinks.first { $0.kind == kind }
            add("alerts.\(kind.rawValue).url", env: kind.urlVariable, toml: fs?.url, tomlKey: "\(section) url", default: "(off)", url: true)
            guard let on else { continue }
            if let v = kind.secretVariable, let k = kind.secretKey {
                add("alerts.\(kind.rawValue).\(k)", env: v, toml: fs?.secret, tomlKey: "\(section) \(k)", default: "(none)", secret: true)
            }
            if let v = kind.indexVariable {
                add("alerts.\(kind.rawValue).index", env: v, toml: fs?.index, tomlKey: "\(section) index",
                    default: kind == .elasticsearch ? "tripline-anomalies" : "(the token's default)")
            }
            add("alerts.\(kind.rawValue).min_severity", env: nil, toml: fs?.minSeverity?.rawValue, tomlKey: "\(section) min_severity",
                default: on.minSeverity.rawValue + " (alerts.min_severity)")
            add("alerts.\(kind.rawValue).batch_size", env: nil, toml: fs?.batchSize.map(String.init), tomlKey: "\(section) batch_size", default: String(kind.defaultBatchSize))
            add("alerts.\(kind.rawValue).timeout", env: nil, toml: fs?.timeout.map(ConfigFile.number), tomlKey: "\(section) timeout", default: ConfigFile.number(AlertSettings.Sink.defaultTimeout))
        }
        if output == "json" {
            // {"configuration_file", "environment_file", "looked_for": {"configuration", "environment"},
            //  "settings": {key: {"value", "source"}}} (secrets hidden as in the text).
            var w = JSONWriter()
            w.raw("{"); w.key("configuration_file"); if let toml { w.string(toml) } else { w.raw("null") }
            w.raw(","); w.key("environment_file"); if let e = DotEnv.defaultPath { w.string(e) } else { w.raw("null") }
            w.raw(","); w.key("looked_for"); w.raw("{"); w.key("configuration"); w.value(.array(ConfigLocations.configCandidates.map { .string($0) }))
            w.raw(","); w.key("environment"); w.value(.array(ConfigLocations.envCandidates.map { .string($0) })); w.raw("}")
            w.raw(","); w.key("settings"); w.raw("{")
            for (i, r) in rows.enumerated() {
                if i > 0 { w.raw(",") }
                w.string(r.key); w.raw(":{"); w.key("value"); w.string(r.value); w.raw(","); w.key("source"); w.string(r.source); w.raw("}")
            }
            w.raw("}}\n")
            FileHandle.standardOutput.write(Data(w.bytes))
            return
        }
        let width = rows.map(\.key.count).max() ?? 10
        let vwidth = min(40, rows.map(\.value.count).max() ?? 10)
        var out = "configuration file: \(toml ?? "none (looked for \(ConfigLocations.configCandidates.joined(separator: ", ")))")\n"
        out += "environment file: " + (DotEnv.defaultPath ?? "none (looked for \(ConfigLocations.envCandidates.joined(separator: ", ")))") + "\n\n"
        for r in rows {
            out += r.key.padding(toLength: width + 2, withPad: " ", startingAt: 0) + r.value.padding(toLength: max(vwidth, r.value.count) + 2, withPad: " ", startingAt: 0) + r.source + "\n"
        }
        printSafe(out, terminator: "")
    }
}
