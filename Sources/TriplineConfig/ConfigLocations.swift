import Foundation

/// Where Tripline's configuration comes from. Never from whatever folder a command happens to
/// run in: an analyst often works inside a folder of collected evidence, and a `tripline.toml`
/// or `.env` planted there could send alerts elsewhere or raise every threshold. A file in the
/// working directory is read only when named (`--config ./tripline.toml`,
/// `TRIPLINE_ENV_FILE=.env`).
///
/// - configuration file: `--config FILE`, else `$TRIPLINE_CONFIG`, else
///   `$XDG_CONFIG_HOME/tripline/tripline.toml` (`~/.config/…`), else `/etc/tripline/tripline.toml`;
/// - environment file: `$TRIPLINE_ENV_FILE`, else `$XDG_CONFIG_HOME/tripline/tripline.env`
///   (`~/.config/…`), else `/etc/tripline/tripline.env`.
public enum ConfigLocations {
    /// The system-wide folder.
    public static let systemFolder = "/etc/tripline"

    /// The user's own folder: `$XDG_CONFIG_HOME/tripline`, else `~/.config/tripline`.
    public static var userFolder: String? {
        let env = ProcessInfo.processInfo.environment
        if let x = env["XDG_CONFIG_HOME"], x.hasPrefix("/") { return x + "/tripline" }
        if let h = env["HOME"], h.hasPrefix("/") { return h + "/.config/tripline" }
        return nil
    }

    /// The places a configuration file is looked for when none is named, best first.
    public static var configCandidates: [String] {
        var out: [String] = []
        if let f = ProcessInfo.processInfo.environment["TRIPLINE_CONFIG"], !f.isEmpty { return [f] }
        if let u = userFolder { out.append(u + "/" + ConfigFile.defaultName) }
        out.append(systemFolder + "/" + ConfigFile.defaultName)
        return out
    }

    /// The places an environment file is looked for, best first.
    public static var envCandidates: [String] {
        if let f = ProcessInfo.processInfo.environment["TRIPLINE_ENV_FILE"], !f.isEmpty { return [f] }
        var out: [String] = []
        if let u = userFolder { out.append(u + "/tripline.env") }
        out.append(systemFolder + "/tripline.env")
        return out
    }

    /// The configuration file in effect: the one named, else the first candidate that exists.
    public static func configFile(explicit: String?) -> String? {
        if let explicit { return explicit }
        if let named = ProcessInfo.processInfo.environment["TRIPLINE_CONFIG"], !named.isEmpty { return named }
        return configCandidates.first { FileManager.default.fileExists(atPath: $0) }
    }

    /// The environment file in effect: the one named, else the first candidate that exists.
    public static var envFile: String? {
        if let named = ProcessInfo.processInfo.environment["TRIPLINE_ENV_FILE"], !named.isEmpty { return named }
        return envCandidates.first { FileManager.default.fileExists(atPath: $0) }
    }

    /// A note when the working directory holds a `tripline.toml` or `.env` that is not read
    /// (they once were): what to do to use it.
    public static func ignoredHere(usingConfig config: String?, env: String?) -> String? {
        var ignored: [String] = []
        if FileManager.default.fileExists(atPath: ConfigFile.defaultName), config.map({ !sameFile($0, ConfigFile.defaultName) }) ?? true {
            ignored.append("./tripline.toml (use --config ./tripline.toml or TRIPLINE_CONFIG)")
        }
        if FileManager.default.fileExists(atPath: ".env"), env.map({ !sameFile($0, ".env") }) ?? true {
            ignored.append("./.env (use TRIPLINE_ENV_FILE=.env)")
        }
        guard !ignored.isEmpty else { return nil }
        return "not read from the working directory unless named: " + ignored.joined(separator: ", ")
    }

    /// Where state (models, batch reports) lives when no folder is named, and why:
    /// `$STATE_DIRECTORY` (systemd's `StateDirectory=`, for a service), else
    /// `$XDG_STATE_HOME/tripline`, else `~/.local/state/tripline`, else `/var/lib/tripline`.
    public static var stateFolder: (path: String, source: String) {
        let env = ProcessInfo.processInfo.environment
        if let s = env["STATE_DIRECTORY"]?.split(separator: ":").first, s.hasPrefix("/") {
            return (String(s), "$STATE_DIRECTORY (systemd StateDirectory=)")
        }
        if let x = env["XDG_STATE_HOME"], x.hasPrefix("/") { return (x + "/tripline", "$XDG_STATE_HOME/tripline") }
        if let h = env["HOME"], h.hasPrefix("/"), h != "/" { return (h + "/.local/state/tripline", "~/.local/state/tripline") }
        return ("/var/lib/tripline", "/var/lib/tripline (no HOME)")
    }

    /// The model folder when none is named: `$MODEL_DIR`, else `models` in ``stateFolder``.
    public static var modelFolder: (path: String, source: String) {
        if let m = ProcessInfo.processInfo.environment["MODEL_DIR"], !m.isEmpty { return (m, "environment (MODEL_DIR)") }
        let s = stateFolder
        return (s.path + "/models", "default: " + s.source + "/models")
    }

    /// A note when the working directory holds the prototype's `anomaly_outputs/model.json` and
    /// another folder is used: a model planted in a folder of evidence must not be loaded
    /// unawares (it sets every baseline and threshold).
    public static func modelIgnoredHere(using folder: String) -> String? {
        let here = "anomaly_outputs"
        guard FileManager.default.fileExists(atPath: here + "/model.json"), !sameFile(folder, here) else { return nil }
        return "not read from the working directory unless named: ./anomaly_outputs (use --model-dir anomaly_outputs)"
    }

    private static func sameFile(_ a: String, _ b: String) -> Bool {
        URL(fileURLWithPath: a).standardizedFileURL.path == URL(fileURLWithPath: b).standardizedFileURL.path
    }
}
