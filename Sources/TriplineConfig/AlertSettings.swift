import Foundation
import TOMLKit
import TriplineCore

/// The alert sinks Tripline can deliver to.
public enum AlertSinkKind: String, Sendable, Hashable, CaseIterable, Comparable {
    case slack, splunk, elasticsearch, webhook

    /// Keys a `[alerts.<sink>]` table may hold.
    public var fileKeys: [String] {
        let common = ["url", "min_severity", "batch_size", "timeout"]
        switch self {
        case .slack: return common
        case .splunk: return common + ["token", "index", "sourcetype"]
        case .elasticsearch: return common + ["index", "api_key"]
        case .webhook: return common + ["secret"]
        }
    }

    /// The environment variable that switches the sink on.
    public var urlVariable: String {
        switch self {
        case .slack: return "TRIPLINE_SLACK_WEBHOOK_URL"
        case .splunk: return "TRIPLINE_SPLUNK_HEC_URL"
        case .elasticsearch: return "TRIPLINE_ELASTICSEARCH_URL"
        case .webhook: return "TRIPLINE_WEBHOOK_URL"
        }
    }

    /// The variable holding the sink's token or secret, if it has one.
    public var secretVariable: String? {
        switch self {
        case .slack: return nil
        case .splunk: return "TRIPLINE_SPLUNK_HEC_TOKEN"
        case .elasticsearch: return "TRIPLINE_ELASTICSEARCH_API_KEY"
        case .webhook: return "TRIPLINE_WEBHOOK_SECRET"
        }
    }

    /// The variable naming the index, if the sink has one.
    public var indexVariable: String? {
        switch self {
        case .splunk: return "TRIPLINE_SPLUNK_INDEX"
        case .elasticsearch: return "TRIPLINE_ELASTICSEARCH_INDEX"
        default: return nil
        }
    }

    /// The file key of the token or secret.
    public var secretKey: String? {
        switch self {
        case .slack: return nil
        case .splunk: return "token"
        case .elasticsearch: return "api_key"
        case .webhook: return "secret"
        }
    }

    /// Alerts per request unless configured.
    public var defaultBatchSize: Int {
        switch self {
        case .slack: return 10
        case .splunk: return 100
        case .elasticsearch: return 500
        case .webhook: return 50
        }
    }

    public static func < (a: AlertSinkKind, b: AlertSinkKind) -> Bool {
        (allCases.firstIndex(of: a) ?? 0) < (allCases.firstIndex(of: b) ?? 0)
    }
}

/// `[alerts]` and `[alerts.<sink>]` as written in the config file.
///
/// ```toml
/// [alerts]
/// min_severity = "high"        # or TRIPLINE_ALERT_MIN_SEVERITY
/// spool_dir = "/var/lib/tripline/alert_spool"
/// flush_timeout = 30           # seconds `batch --once` waits for delivery
/// max_backoff = 300            # longest wait between retries, seconds
/// max_spool_mb = 256           # per sink; beyond it the oldest waiting alerts are dropped
///
/// [alerts.webhook]
/// url = "https://soar.example.com/hooks/tripline"
/// secret = "shared-hmac-secret"
/// min_severity = "critical"
/// ```
public struct AlertFileSettings: Sendable, Equatable {
    public var minSeverity: Severity?
    public var spoolDirectory: String?
    public var flushTimeout: Double?
    public var maxBackoff: Double?
    public var maxSpoolMB: Double?
    public var sinks: [AlertSinkKind: SinkFileSettings] = [:]
    public init() {}

    /// Keys of `[alerts]` itself (besides the sink tables).
    public static let keys = ["min_severity", "spool_dir", "flush_timeout", "max_backoff", "max_spool_mb"]

    /// One `[alerts.<sink>]` table.
    public struct SinkFileSettings: Sendable, Equatable {
        public var url: String?
        /// Splunk's HEC token, Elasticsearch's API key or the webhook's HMAC secret.
        public var secret: String?
        public var index: String?
        public var sourcetype: String?
        public var minSeverity: Severity?
        public var batchSize: Int?
        public var timeout: Double?
        public init() {}
    }

    static func parse(_ table: TOMLTable, path: String) throws(ConfigError) -> AlertFileSettings {
        var s = AlertFileSettings()
        for k in table.keys {
            let v = table[k]
            if let kind = AlertSinkKind(rawValue: k) {
                guard let t = v?.table else { throw .badValue(path: path, key: "alerts.\(k)", message: "must be a table ([alerts.\(k)])") }
                s.sinks[kind] = try parseSink(t, kind: kind, path: path)
                continue
            }
            switch k {
            case "min_severity": s.minSeverity = try severity(v, key: "alerts.\(k)", path: path)
            case "spool_dir": s.spoolDirectory = try text(v, key: "alerts.\(k)", path: path)
            case "flush_timeout": s.flushTimeout = try seconds(v, key: "alerts.\(k)", path: path, range: 0...3600)
            case "max_backoff": s.maxBackoff = try seconds(v, key: "alerts.\(k)", path: path, range: 1...86_400)
            case "max_spool_mb": s.maxSpoolMB = try seconds(v, key: "alerts.\(k)", path: path, range: 1...1_048_576, unit: "MB")
            default:
                throw .unknownKey(path: path, key: k, section: "alerts", known: keys + AlertSinkKind.allCases.map { "[alerts.\($0.rawValue)]" })
            }
        }
        return s
    }

    static func parseSink(_ t: TOMLTable, kind: AlertSinkKind, path: String) throws(ConfigError) -> SinkFileSettings {
        var s = SinkFileSettings()
        for k in t.keys {
            guard kind.fileKeys.contains(k) else {
                throw .unknownKey(path: path, key: k, section: "alerts.\(kind.rawValue)", known: kind.fileKeys)
            }
            let v = t[k]
            let key = "alerts.\(kind.rawValue).\(k)"
            switch k {
            case "url":
                let u = try text(v, key: key, path: path)
                if let problem = AlertSettings.urlProblem(u) { throw .badValue(path: path, key: key, message: problem) }
                s.url = u
            case "token", "api_key", "secret": s.secret = try text(v, key: key, path: path)
            case "index": s.index = try text(v, key: key, path: path)
            case "sourcetype": s.sourcetype = try text(v, key: key, path: path)
            case "min_severity": s.minSeverity = try severity(v, key: key, path: path)
            case "batch_size":
                guard let n = v?.int, (1...10_000).contains(n) else {
                    throw .badValue(path: path, key: key, message: "must be a whole number from 1 to 10000")
                }
                s.batchSize = n
            case "timeout": s.timeout = try seconds(v, key: key, path: path, range: 0.1...600)
            default: break
            }
        }
        return s
    }

    static func text(_ v: TOMLValueConvertible?, key: String, path: String) throws(ConfigError) -> String {
        guard let t = v?.string, !t.isEmpty else {
            throw .badValue(path: path, key: key, message: "must be a non-empty string")
        }
        return t
    }

    static func severity(_ v: TOMLValueConvertible?, key: String, path: String) throws(ConfigError) -> Severity {
        guard let t = v?.string, let s = Severity(rawValue: t.lowercased()) else {
            throw .badValue(path: path, key: key, message: "must be one of low, medium, high, critical")
        }
        return s
    }

    static func seconds(_ v: TOMLValueConvertible?, key: String, path: String, range: ClosedRange<Double>,
                        unit: String = "seconds") throws(ConfigError) -> Double {
        guard let n = v?.double ?? v?.int.map(Double.init), range.contains(n) else {
            throw .badValue(path: path, key: key, message: "must be a number of \(unit) from \(ConfigFile.number(range.lowerBound)) to \(ConfigFile.number(range.upperBound))")
        }
        return n
    }
}

/// The effective alert configuration: environment variables over the config file over defaults.
/// A sink is on when it has a URL (`TRIPLINE_SLACK_WEBHOOK_URL`, `[alerts.slack] url`, …).
public struct AlertSettings: Sendable, Equatable {
    /// One sink that is switched on.
    public struct Sink: Sendable, Equatable {
        public var kind: AlertSinkKind
        public var url: String
        /// Splunk's HEC token, Elasticsearch's API key or the webhook's HMAC secret.
        public var secret: String?
        public var index: String?
        public var sourcetype: String
        public var minSeverity: Severity
        public var batchSize: Int
        /// Seconds one request may take.
        public var timeout: Double
        /// Seconds a request may take unless configured.
        public static let defaultTimeout: Double = 10

        public init(kind: AlertSinkKind, url: String, secret: String? = nil, index: String? = nil, minSeverity: Severity = .high,
                    batchSize: Int? = nil, timeout: Double = Sink.defaultTimeout) {
            self.kind = kind; self.url = url; self.secret = secret; self.index = index
            self.sourcetype = "tripline:anomaly"; self.minSeverity = minSeverity
            self.batchSize = batchSize ?? kind.defaultBatchSize; self.timeout = timeout
        }
    }

    public var sinks: [Sink] = []
    /// The default minimum severity (sinks may set their own in the file).
    public var minSeverity: Severity = .high
    /// Where undelivered alerts wait; nil means the command's default.
    public var spoolDirectory: String?
    /// Seconds `batch --once` (and a stopping server) waits for delivery before leaving the rest spooled.
    public var flushTimeout: Double = 30
    /// The longest wait between retries, in seconds.
    public var maxBackoff: Double = 300
    /// The most disk one sink's spool may use, in MB; beyond it the oldest waiting alerts are
    /// dropped (their ids written to `dropped.log`), so a receiver down for weeks cannot fill the disk.
    public var maxSpoolMB: Double = 256

    public init() {}

    /// True when no sink is configured.
    public var isEmpty: Bool { sinks.isEmpty }

    /// Resolves the settings from `environment` and the config file's `[alerts]`.
    public static func resolve(file: ConfigFile?, environment env: [String: String]) throws(ConfigError) -> AlertSettings {
        let f = file?.alerts ?? AlertFileSettings()
        let filePath = file?.path ?? ConfigFile.defaultName
        func fromEnv(_ name: String?) -> String? {
            guard let name, let v = env[name], !v.isEmpty else { return nil }
            return v
        }
        var s = AlertSettings()
        if let raw = fromEnv("TRIPLINE_ALERT_MIN_SEVERITY") {
            guard let sev = Severity(rawValue: raw.lowercased()) else {
                throw .badValue(path: "environment", key: "TRIPLINE_ALERT_MIN_SEVERITY", message: "'\(raw)' must be one of low, medium, high, critical")
            }
            s.minSeverity = sev
        } else if let sev = f.minSeverity { s.minSeverity = sev }
        s.spoolDirectory = fromEnv("TRIPLINE_ALERT_SPOOL_DIR") ?? f.spoolDirectory
        s.flushTimeout = f.flushTimeout ?? s.flushTimeout
        s.maxBackoff = f.maxBackoff ?? s.maxBackoff
        s.maxSpoolMB = f.maxSpoolMB ?? s.maxSpoolMB
        for kind in AlertSinkKind.allCases {
            let fs = f.sinks[kind] ?? AlertFileSettings.SinkFileSettings()
            let envURL = fromEnv(kind.urlVariable)
            if let u = envURL, let problem = urlProblem(u) {
                throw .badValue(path: "environment", key: kind.urlVariable, message: problem)
            }
            guard let url = envURL ?? fs.url else {
                if fromEnv(kind.secretVariable) != nil || fs.secret != nil {
                    throw .badValue(path: "environment", key: kind.urlVariable, message: "is needed: a \(kind.rawValue) \(kind.secretKey ?? "secret") is set but no URL")
                }
                continue
            }
            var sink = Sink(kind: kind, url: url, secret: fromEnv(kind.secretVariable) ?? fs.secret,
                            index: fromEnv(kind.indexVariable) ?? fs.index, minSeverity: fs.minSeverity ?? s.minSeverity,
                            batchSize: fs.batchSize, timeout: fs.timeout ?? Sink.defaultTimeout)
            if let st = fs.sourcetype { sink.sourcetype = st }
            if kind == .splunk, sink.secret == nil {
                throw .badValue(path: file?.alerts.sinks[.splunk]?.url != nil ? filePath : "environment",
                                key: "TRIPLINE_SPLUNK_HEC_TOKEN", message: "is needed with a Splunk HEC URL (or token in [alerts.splunk])")
            }
            s.sinks.append(sink)
        }
        return s
    }

    /// Why `u` is not a usable http(s) URL, without repeating it (it may hold a secret).
    public static func urlProblem(_ u: String) -> String? {
        guard let c = URLComponents(string: u), let scheme = c.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = c.host, !host.isEmpty else {
            return "must be an http:// or https:// URL with a host (value not shown: it may hold a secret)"
        }
        return nil
    }

    /// `scheme://host[:port]` of a URL: what may be shown of it (paths and query strings of
    /// webhook URLs are secrets).
    public static func redactedURL(_ u: String) -> String {
        guard let c = URLComponents(string: u), let scheme = c.scheme, let host = c.host else { return "(hidden)" }
        let shownHost = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return "\(scheme)://\(shownHost)" + (c.port.map { ":\($0)" } ?? "") + (c.path.isEmpty || c.path == "/" ? "" : "/…")
    }
}
