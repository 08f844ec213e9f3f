/// Events from a JSON request body in the prototype's API shape, `{"logs": [{timestamp, user,
/// source_ip, event_type, action, message, ...}, ...]}` (a bare array of records is accepted too).
///
/// Unlike reading a log file, where a bad line is counted and skipped, an API caller sent this
/// on purpose: the first malformed part is an error that names where it is (`logs[3].timestamp`)
/// so that the caller can fix it.
public enum RecordBatch {
    /// What is wrong with a body, and where.
    public struct Problem: Error, Sendable, CustomStringConvertible, Equatable {
        /// A JSON path such as `logs[3].timestamp`, or `body`.
        public let path: String
        public let message: String
        public var description: String { "\(path): \(message)" }

        public init(path: String, message: String) {
            self.path = path
            self.message = message
        }
    }

    /// Fields that must be text (or null) when present.
    static let textFields = ["user", "source_ip", "event_type", "action", "message", "host", "program",
                             "auth_method", "target_user", "command", "outcome"]

    /// Parses and checks `body`; `name` stands for the file in evidence (`name:1` is `logs[0]`).
    /// At most `maxRecords` records.
    public static func events(body: [UInt8], name: String, options: ParseOptions = ParseOptions(),
                              maxRecords: Int = 1_000_000) throws(Problem) -> [LogEvent] {
        let root: JSONValue
        do {
            root = try body.withUnsafeBufferPointer { buf throws(JSONParser.Failure) -> JSONValue in
                try JSONParser.parse(ByteSpan(buf))
            }
        } catch {
            throw Problem(path: "body", message: "not valid JSON: \(error)")
        }
        let records: [JSONValue]
        let prefix: String
        switch root {
        case .array(let a):
            records = a
            prefix = ""
        case .object(let o):
            guard let logs = o["logs"] else {
                throw Problem(path: "body", message: "expected an object with a \"logs\" array of records (or an array of records)")
            }
            guard case .array(let a) = logs else { throw Problem(path: "logs", message: "must be an array of records") }
            records = a
            prefix = "logs"
        default:
            throw Problem(path: "body", message: "expected an object with a \"logs\" array of records (or an array of records)")
        }
        guard records.count <= maxRecords else {
            throw Problem(path: prefix.isEmpty ? "body" : prefix, message: "\(records.count) records; at most \(maxRecords) per request")
        }
        var mapper = StructuredRecordMapper(options: options)
        var out: [LogEvent] = []
        out.reserveCapacity(records.count)
        for (i, r) in records.enumerated() {
            let at = "\(prefix)[\(i)]"
            guard case .object(let fields) = r else { throw Problem(path: at, message: "must be an object (a log record)") }
            for f in textFields {
                if let v = fields[f] {
                    switch v {
                    case .string, .null: break
                    case .object where ["user", "source_ip", "host"].contains(f): break // ECS style {"name": …}
                    default: throw Problem(path: "\(at).\(f)", message: "must be a string")
                    }
                }
            }
            if let v = fields["repeat_count"], v != .null {
                let whole: Bool
                switch v {
                case .int(let n): whole = n >= 1
                case .double(let d): whole = d >= 1 && d == d.rounded()
                default: whole = false
                }
                guard whole else {
                    throw Problem(path: "\(at).repeat_count", message: "must be a whole number, 1 or more")
                }
            }
            switch mapper.event(from: fields, file: name, line: i + 1) {
            case .event(let e): out.append(e)
            case .skipped(let reason, let detail):
                let field = reason == .missingTimestamp || reason == .badTimestamp ? ".timestamp" : ""
                throw Problem(path: at + field, message: detail ?? reason.rawValue)
            }
        }
        return out
    }
}
