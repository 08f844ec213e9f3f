import Foundation

/// A `.env` file (`KEY=value` lines, `#` comments, optional `export`, single or double quotes):
/// values for environment variables that are not set already, so the order is flags, then the
/// environment, then `.env`, then `tripline.toml`, then defaults.
public enum DotEnv {
    /// A line that is not `KEY=value`, named by file and line.
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public let path: String
        public let line: Int
        public let message: String
        public var description: String { "\(path):\(line): \(message)" }
    }

    /// One assignment.
    public struct Entry: Sendable, Equatable {
        public let key: String
        public let value: String
        public let line: Int
    }

    /// Where each variable `load` set came from (`.env:4`), for `tripline config`.
    nonisolated(unsafe) public private(set) static var origins: [String: String] = [:]

    /// Parses the text of a `.env` file.
    public static func parse(_ text: String, path: String) throws(Problem) -> [Entry] {
        var out: [Entry] = []
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasSuffix("\r") { line.removeLast() }
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = String(line.dropFirst(7)).trimmingCharacters(in: .whitespaces) }
            guard let eq = line.firstIndex(of: "=") else {
                throw Problem(path: path, line: i + 1, message: "expected KEY=value")
            }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces)
            guard let first = key.first, first == "_" || first.isLetter, key.allSatisfy({ $0 == "_" || $0.isLetter || $0.isNumber }), key.allSatisfy(\.isASCII) else {
                throw Problem(path: path, line: i + 1, message: "'\(key)' is not a variable name (letters, digits and _)")
            }
            var value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            if value.hasPrefix("\"") {
                guard value.count >= 2, value.hasSuffix("\""), !value.hasSuffix("\\\"") || value.hasSuffix("\\\\\"") else {
                    throw Problem(path: path, line: i + 1, message: "unterminated double quote")
                }
                var s = ""
                var escaped = false
                for c in value.dropFirst().dropLast() {
                    if escaped {
                        switch c { case "n": s.append("\n"); case "t": s.append("\t"); default: s.append(c) }
                        escaped = false
                    } else if c == "\\" { escaped = true } else { s.append(c) }
                }
                value = s
            } else if value.hasPrefix("'") {
                guard value.count >= 2, value.hasSuffix("'") else { throw Problem(path: path, line: i + 1, message: "unterminated single quote") }
                value = String(value.dropFirst().dropLast())
            } else if let hash = value.range(of: " #") {
                value = value[..<hash.lowerBound].trimmingCharacters(in: .whitespaces)
            }
            out.append(Entry(key: key, value: value, line: i + 1))
        }
        return out
    }

    /// Reads `path` (when it exists) and sets the variables not already in the environment.
    /// Returns the keys it set.
    @discardableResult
    public static func load(_ path: String) throws(Problem) -> [String] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw Problem(path: path, line: 0, message: "cannot read: \((error as NSError).localizedDescription)")
        }
        var set: [String] = []
        let entries = try parse(text, path: path)
        // A shared .env may hold other programs' keys; a TRIPLINE_ key we do not know is a typo.
        for e in entries where e.key.hasPrefix("TRIPLINE_") && !knownKeys.contains(e.key) {
            throw Problem(path: path, line: e.line, message: "unknown key '\(e.key)' (known: \(knownKeys.filter { $0.hasPrefix("TRIPLINE_") }.joined(separator: ", ")))")
        }
        for e in entries where knownKeys.contains(e.key) && ProcessInfo.processInfo.environment[e.key] == nil {
            setenv(e.key, e.value, 0)
            origins[e.key] = "\(path):\(e.line)"
            set.append(e.key)
        }
        return set
    }

    /// The variables Tripline reads (the prototype's names and its own `TRIPLINE_*`).
    public static let knownKeys = ["MODEL_DIR", "LOG_DIR", "OUTPUT_DIR", "BATCH_INTERVAL", "API_HOST", "API_PORT", "WORKERS",
                                   "CONTAMINATION", "BASELINE_DAYS", "LOG_LEVEL", "NO_COLOR",
                                   "TRIPLINE_API_TOKEN", "TRIPLINE_RATE_LIMIT", "TRIPLINE_MAX_BODY_BYTES", "TRIPLINE_THEMES",
                                   "TRIPLINE_ENV_FILE", "TRIPLINE_ALERT_MIN_SEVERITY", "TRIPLINE_ALERT_SPOOL_DIR",
                                   "TRIPLINE_SLACK_WEBHOOK_URL", "TRIPLINE_SPLUNK_HEC_URL", "TRIPLINE_SPLUNK_HEC_TOKEN", "TRIPLINE_SPLUNK_INDEX",
                                   "TRIPLINE_ELASTICSEARCH_URL", "TRIPLINE_ELASTICSEARCH_INDEX", "TRIPLINE_ELASTICSEARCH_API_KEY",
                                   "TRIPLINE_WEBHOOK_URL", "TRIPLINE_WEBHOOK_SECRET"]

    /// The environment file in effect (see ``ConfigLocations``), or nil when there is none.
    public static var defaultPath: String? { ConfigLocations.envFile }
}
