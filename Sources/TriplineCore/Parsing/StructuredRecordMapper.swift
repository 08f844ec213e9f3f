/// Maps one structured record (a JSON object, or a CSV row by header) in the prototype's schema
/// (`timestamp, user, source_ip, event_type, action, message`, plus Tripline's own snake_case
/// fields) to a ``LogEvent``. Keys it does not model are kept in ``LogEvent/extra``.
///
/// A few common spellings are accepted as well (`@timestamp`, `time`, `username`, `src_ip`,
/// `hostname`, ECS-style `{"user": {"name": …}}`), since logs from other tools use them.
struct StructuredRecordMapper {
    private var clock: LocalTimeConverter

    init(options: ParseOptions) {
        clock = LocalTimeConverter(zone: options.timeZone)
    }

    static let timestampKeys = ["timestamp", "@timestamp", "time", "ts", "datetime", "date", "event_time"]
    static let userKeys = ["user", "username", "user_name", "account", "login"]
    static let sourceKeys = ["source_ip", "src_ip", "ip", "client_ip", "remote_addr", "remote_ip", "rhost", "source_address", "src"]
    static let typeKeys = ["event_type", "type", "event", "category"]
    static let hostKeys = ["host", "hostname", "server", "computer"]
    static let messageKeys = ["message", "msg", "description"]
    static let aliasKeys: Set<String> = Set(timestampKeys + userKeys + sourceKeys + typeKeys + hostKeys + messageKeys)

    /// The event for a record, or why it was skipped.
    mutating func event(from record: [String: JSONValue], file: String?, line: Int) -> LineResult {
        var used = Set<String>()
        func take(_ keys: [String]) -> JSONValue? {
            for k in keys {
                if let v = record[k], v != .null {
                    used.insert(k)
                    return v
                }
            }
            for k in keys where record[k] != nil { used.insert(k) }
            return nil
        }
        func text(_ keys: [String]) -> String? {
            guard let v = take(keys) else { return nil }
            if case .object(let o) = v {
                // ECS style: {"user": {"name": "alice"}}, {"source": {"ip": "…"}}, {"host": {"name": …}}
                return (o["name"] ?? o["ip"] ?? o["address"])?.scalarText
            }
            let s = v.scalarText
            return s?.isEmpty == true ? nil : s
        }

        guard let tsValue = take(StructuredRecordMapper.timestampKeys) else {
            return .skipped(.missingTimestamp, detail: "no timestamp field (expected one of: timestamp, @timestamp, time)")
        }
        guard let ts = timestamp(tsValue) else {
            return .skipped(.badTimestamp, detail: "timestamp \(tsValue.scalarText.map { "\"\($0.prefix(40))\"" } ?? "value") is not ISO 8601 or epoch seconds")
        }
        var e = LogEvent(timestamp: ts, file: file, line: line)
        e.user = text(StructuredRecordMapper.userKeys)
        e.sourceIP = text(StructuredRecordMapper.sourceKeys)
        if let t = text(StructuredRecordMapper.typeKeys) { e.eventType = EventType(rawValue: t) }
        e.action = text(["action"])
        e.message = text(StructuredRecordMapper.messageKeys) ?? ""
        e.host = text(StructuredRecordMapper.hostKeys)
        e.program = text(["program", "process", "app", "service"])
        if let p = take(["pid"])?.numberValue, p >= 0, p < 1e10 { e.pid = Int(p) }
        if let p = take(["source_port", "src_port", "port"])?.numberValue, p >= 0, p <= 65535 { e.sourcePort = Int(p) }
        e.authMethod = text(["auth_method", "method"])
        if let v = take(["invalid_user"]) {
            switch v {
            case .bool(let b): e.invalidUser = b
            default: e.invalidUser = ["true", "1", "yes"].contains(v.scalarText?.lowercased() ?? "")
            }
        }
        e.targetUser = text(["target_user", "target", "runas"])
        e.command = text(["command", "cmd"])
        if let o = text(["outcome", "result", "status"]) {
            e.outcome = Outcome(rawValue: o.lowercased()) ?? Outcome(action: o)
        } else if let a = e.action {
            e.outcome = Outcome(action: a)
        }
        // Where it was read wins over what the record claims; the rest is kept.
        used.insert("file"); used.insert("line")
        for (k, v) in record where !used.contains(k) {
            e.extra[k] = v
        }
        return .event(e)
    }

    /// A timestamp from an ISO 8601 string, or epoch seconds (milliseconds and microseconds are
    /// recognised by magnitude).
    mutating func timestamp(_ v: JSONValue) -> Timestamp? {
        switch v {
        case .int, .double:
            guard let d = v.numberValue else { return nil }
            return epoch(d)
        case .string(let s):
            var s = s
            return s.withUTF8 { buf -> Timestamp? in
                let span = ByteSpan(buf).trimmed()
                if let r = ISOTimestamp.parse(span, at: 0) {
                    guard case .valid(let micros, let hasOffset, let end) = r, end == span.count else { return nil }
                    return Timestamp(microseconds: hasOffset ? micros : clock.utc(localMicros: micros))
                }
                if let d = Double(span.string), d.isFinite { return epoch(d) }
                return nil
            }
        default:
            return nil
        }
    }

    private func epoch(_ d: Double) -> Timestamp? {
        guard d.isFinite, d >= 0 else { return nil }
        if d >= 1e14 { return Timestamp(microseconds: Int64(d)) }
        if d >= 1e11 { return Timestamp(microseconds: Int64(d * 1000)) }
        return Timestamp(seconds: d)
    }
}
