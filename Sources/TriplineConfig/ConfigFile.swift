import Foundation
import TOMLKit
import TriplineCore

/// Tripline's TOML configuration file (`tripline.toml`, or `--config FILE`): detection
/// thresholds in `[detection]`, the REST API's settings in `[api]`; every key is checked, and
/// a mistake names the key and the file.
///
/// ```toml
/// [detection]
/// brute_force_failures = 8     # Wazuh's 5720 instead of fail2ban's 5
/// brute_force_window = 360
/// contamination = 0.02
///
/// [api]
/// host = "127.0.0.1"
/// port = 8000
/// token = "change-me"          # or TRIPLINE_API_TOKEN
/// rate_limit = 100             # requests a minute per client; 0 turns it off
/// max_body_bytes = 33554432
///
/// [alerts]                     # see AlertFileSettings
/// min_severity = "high"
/// [alerts.slack]
/// url = "https://hooks.slack.com/services/…"
/// ```
public struct ConfigFile: Sendable {
    /// The file read.
    public let path: String
    /// `[detection]` settings as written.
    public let detection: [String: Double]
    /// `[api]` settings as written.
    public var api = APISettings()
    /// `[alerts]` and `[alerts.<sink>]` settings as written.
    public var alerts = AlertFileSettings()

    /// The `[api]` table.
    public struct APISettings: Sendable, Equatable {
        public var host: String?
        public var port: Int?
        public var token: String?
        public var rateLimit: Int?
        public var maxBodyBytes: Int?
        public init() {}
        static let keys = ["host", "port", "token", "rate_limit", "max_body_bytes"]
    }

    /// The file name, looked for in the places ``ConfigLocations`` lists.
    public static let defaultName = "tripline.toml"
    /// Sections a file may have.
    public static let sections = ["detection", "api", "alerts"]

    /// Reads and checks a config file.
    public static func load(_ path: String) throws(ConfigError) -> ConfigFile {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw .unreadable(path: path, reason: (error as NSError).localizedDescription)
        }
        let table: TOMLTable
        do { table = try TOMLTable(string: text) } catch let e as TOMLParseError {
            throw .syntax(path: path, line: e.source.begin.line, column: e.source.begin.column, message: e.description)
        } catch {
            throw .syntax(path: path, line: 0, column: 0, message: "\(error)")
        }
        var detection: [String: Double] = [:]
        var api = APISettings()
        var alerts = AlertFileSettings()
        for key in table.keys {
            guard sections.contains(key), let section = table[key]?.table else {
                throw .unknownKey(path: path, key: key, section: nil, known: sections)
            }
            if key == "api" {
                api = try apiSettings(section, path: path)
                continue
            }
            if key == "alerts" {
                alerts = try AlertFileSettings.parse(section, path: path)
                continue
            }
            for k in section.keys {
                guard DetectionConfig.keys.contains(k) else {
                    throw .unknownKey(path: path, key: k, section: key, known: DetectionConfig.keys)
                }
                let v = section[k]
                guard let number = v?.double ?? v?.int.map(Double.init) else {
                    throw .badValue(path: path, key: "\(key).\(k)", message: "must be a number")
                }
                var probe = DetectionConfig()
                do { try probe.set(k, to: number) } catch {
                    if case .outOfRange(_, _, let allowed) = error {
                        throw .badValue(path: path, key: "\(key).\(k)", message: "\(number) is out of range (\(allowed))")
                    }
                }
                detection[k] = number
            }
        }
        var file = ConfigFile(path: path, detection: detection)
        file.api = api
        file.alerts = alerts
        return file
    }

    static func apiSettings(_ section: TOMLTable, path: String) throws(ConfigError) -> APISettings {
        var a = APISettings()
        for k in section.keys {
            let v = section[k]
            func whole(_ lo: Int, _ hi: Int) throws(ConfigError) -> Int {
                guard let n = v?.int, n >= lo, n <= hi else {
                    throw .badValue(path: path, key: "api.\(k)", message: "must be a whole number from \(lo) to \(hi)")
                }
                return n
            }
            func text() throws(ConfigError) -> String {
                guard let t = v?.string, !t.isEmpty else { throw .badValue(path: path, key: "api.\(k)", message: "must be a non-empty string") }
                return t
            }
            switch k {
            case "host": a.host = try text()
            case "port": a.port = try whole(0, 65535)
            case "token": a.token = try text()
            case "rate_limit": a.rateLimit = try whole(0, 1_000_000)
            case "max_body_bytes": a.maxBodyBytes = try whole(1024, 1 << 34)
            default: throw .unknownKey(path: path, key: k, section: "api", known: APISettings.keys)
            }
        }
        return a
    }

    /// `--config FILE` if given, else `tripline.toml` in the current directory if there is one.
    public static func discover(explicit: String?) throws(ConfigError) -> ConfigFile? {
        guard let path = ConfigLocations.configFile(explicit: explicit) else { return nil }
        return try load(path)
    }

    /// A number as written in a config file: whole numbers without a decimal point.
    public static func number(_ d: Double) -> String {
        d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
    }

    /// This file's `[detection]` settings, to lay over a model's thresholds.
    public var overrides: DetectionOverrides { DetectionOverrides(detection) }

    /// `base` with this file's `[detection]` settings applied.
    public func apply(to base: DetectionConfig) -> DetectionConfig { overrides.apply(to: base) }
}

/// A configuration problem, naming the file and the key.
public enum ConfigError: Error, Sendable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case syntax(path: String, line: Int, column: Int, message: String)
    case unknownKey(path: String, key: String, section: String?, known: [String])
    case badValue(path: String, key: String, message: String)

    public var description: String {
        switch self {
        case .unreadable(let p, let r): return "cannot read the config file \(p): \(r)"
        case .syntax(let p, let l, let c, let m): return "\(p):\(l):\(c): not valid TOML: \(m)"
        case .unknownKey(let p, let k, let s, let known):
            let place = s.map { "in [\($0)] " } ?? ""
            return "\(p): unknown key '\(k)' \(place)(known: \(known.joined(separator: ", ")))"
        case .badValue(let p, let k, let m): return "\(p): \(k) \(m)"
        }
    }
}
