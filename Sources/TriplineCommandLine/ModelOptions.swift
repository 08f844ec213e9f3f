import ArgumentParser
import Foundation
import TriplineCore
import TriplineConfig

/// Where models live: `--model-dir`, else `MODEL_DIR`, else `models` in the state folder
/// (`$STATE_DIRECTORY` under systemd, else `~/.local/state/tripline`; ``ConfigLocations``).
/// Never the working directory's unless named.
public struct ModelDirOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Folder of the model (default: $MODEL_DIR, else $STATE_DIRECTORY/models under systemd, else ~/.local/state/tripline/models).", valueName: "dir"))
    public var modelDir: String?

    public init() {}

    /// The folder in effect (a note is printed, once, when a working directory's model is passed over).
    public var resolved: String {
        let folder = modelDir ?? ConfigLocations.modelFolder.path
        if modelDir == nil, !ModelDirOption.noted.swapTrue(), let note = ConfigLocations.modelIgnoredHere(using: folder) {
            printError("tripline: \(note)")
        }
        return folder
    }

    /// The note about `./anomaly_outputs` is printed once per run.
    private static let noted = OnceFlag()
}

/// A flag set once, from any thread.
public final class OnceFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    public init() {}
    /// Sets the flag; returns whether it was already set.
    public func swapTrue() -> Bool { lock.lock(); defer { lock.unlock() }; let was = value; value = true; return was }
}

/// Reads a positive number from the environment, with a clear error when it is not one.
public func environmentNumber(_ name: String) throws -> Double? {
    guard let raw = ProcessInfo.processInfo.environment[name], !raw.isEmpty else { return nil }
    guard let v = Double(raw), v.isFinite, v >= 0 else {
        throw ValidationError("environment variable \(name)='\(raw)' is not a number")
    }
    return v
}

/// `--config FILE` (default: `$TRIPLINE_CONFIG`, else `~/.config/tripline/tripline.toml`, else
/// `/etc/tripline/tripline.toml`; never the working directory's unless named).
public struct ConfigOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("TOML config file: [detection] thresholds, [api], [alerts] (default: $TRIPLINE_CONFIG, else ~/.config/tripline/tripline.toml, else /etc/tripline/tripline.toml).", valueName: "file"))
    public var config: String?

    public init() {}

    /// The config file in effect, if any (errors are printed and end the command).
    public func file() throws -> ConfigFile? {
        do { return try ConfigFile.discover(explicit: config) } catch {
            printError("tripline: \(error)")
            throw ExitCode(2)
        }
    }

    /// The thresholds: `base` (defaults, or the model's) with the config file applied.
    public func detection(base: DetectionConfig) throws -> DetectionConfig {
        do {
            guard let file = try ConfigFile.discover(explicit: config) else { return base }
            return file.apply(to: base)
        } catch {
            printError("tripline: \(error)")
            throw ExitCode(2)
        }
    }
}
