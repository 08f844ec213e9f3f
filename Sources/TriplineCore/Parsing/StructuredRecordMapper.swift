/// Maps one structured record (a JSON object, or a CSV row by header) in the prototype's schema
/// (`timestamp, user, source_ip, event_type, action, message`, plus Tripline's own snake_case
/// fields) to a ``LogEvent``. Keys it does not model are kept in ``LogEvent/extra``.
///
/// A few common spellings are accepted as well (`@timestamp`, `time`, `username`, `src_ip`,
/// `hostname`, ECS-style `{"user": {"name": …}}`, journald's `journalctl -o json` fields), since
/// logs from other tools use them; when a record has several spellings of one field, the one
/// listed first wins.
///
/// A record that says nothing of what happened (no event type, action or outcome) but carries
/// the log text — journald's `MESSAGE` with `SYSLOG_IDENTIFIER`, a shipper's `message` holding the
/// raw syslog line — has that text read the way a syslog line's is; fields the record gives
/// itself win over what the text says.
struct StructuredRecordMapper {
    private var clock: LocalTimeConverter
    private let options: ParseOptions
    /// How much of a record's message an analysis keeps (``ParseOptions/keepsMessages`` off).
    static let detectionMessageBytes = 8192
    /// Reads log text carried in records; made when a file first needs it (most structured
    /// records say what happened, and the mapper stays small for them).
    private var textReader: TextReader?
    /// Keys looked up folded so far (a file repeats its keys on every record); bounded.
    private var foldedKeys: [String: (Field, Int)?] = [:]

    /// The classifier for log text with a program, and a syslog parser for whole lines.
    private final class TextReader {
        var classifier = AuthMessageClassifier()
        var syslog: SyslogParser
        init(options: ParseOptions) { syslog = SyslogParser(options: options) }
    }

    init(options: ParseOptions) {
        clock = LocalTimeConverter(zone: options.timeZone)
        self.options = options
    }

    enum Field: Int, CaseIterable {
        case timestamp, user, sourceIP, eventType, action, message, host, program, pid, sourcePort
        case authMethod, invalidUser, targetUser, command, outcome, location, repeatCount
    }

    /// Accepted keys per field, best first.
    static let spellings: [Field: [String]] = [
        .timestamp: ["timestamp", "@timestamp", "time", "ts", "datetime", "date", "event_time",
                     "_SOURCE_REALTIME_TIMESTAMP", "__REALTIME_TIMESTAMP"],
        .user: ["user", "username", "user_name", "account", "login"],
        .sourceIP: ["source_ip", "src_ip", "ip", "client_ip", "remote_addr", "remote_ip", "rhost", "source_address", "src", "source"],
        .eventType: ["event_type", "type", "event", "category"],
        .action: ["action"],
        .message: ["message", "msg", "description", "MESSAGE"],
        .host: ["host", "hostname", "server", "computer", "_HOSTNAME"],
        .program: ["program", "process", "app", "service", "SYSLOG_IDENTIFIER", "_COMM"],
        .pid: ["pid", "SYSLOG_PID", "_PID"],
        .sourcePort: ["source_port", "src_port", "port"],
        .authMethod: ["auth_method", "method"],
        .invalidUser: ["invalid_user"],
        .targetUser: ["target_user", "target", "runas"],
        .command: ["command", "cmd"],
        .outcome: ["outcome", "result", "status"],
        .location: ["file", "line"],
        .repeatCount: ["repeat_count"],
    ]

    /// key → (field, rank).
    static let keyTable: [String: (Field, Int)] = {
        var t: [String: (Field, Int)] = [:]
        for (f, keys) in spellings { for (rank, k) in keys.enumerated() { t[k] = (f, rank) } }
        return t
    }()

    /// More keys other tools write, read after every exact spelling of their field.
    static let otherSpellings: [Field: [String]] = [
        .timestamp: ["time_generated", "event_created", "created_at", "logged_at"],
        .user: ["account_name", "login_name", "user_principal_name"],
        .sourceIP: ["src_addr", "src_address", "client_addr", "client_address", "ip_address", "ip_addr",
                    "remote_host", "source_ip_address", "peer_address", "peer_ip"],
        .eventType: ["event_category", "event_kind", "log_type"],
        .action: ["event_action", "activity"],
        .outcome: ["event_outcome"],
        .host: ["host_name", "device_name"],
        .authMethod: ["auth_type", "authentication_method", "logon_type"],
    ]

    /// A key as other tools vary it, folded: lower case without `_`, `-`, `.` or spaces, so
    /// `sourceIp`, `Source-IP`, `source.ip` (ECS flattened, as Kibana's CSV export writes it)
    /// and `SOURCE_IP` all read as `source_ip`.
    static func folded(_ key: String) -> String {
        var out = ""
        out.reserveCapacity(key.utf8.count)
        for c in key.unicodeScalars where c != "_" && c != "-" && c != "." && c != " " {
            out.unicodeScalars.append(c.properties.lowercaseMapping.unicodeScalars.first ?? c)
        }
        return out
    }

    /// folded key → (field, rank): the exact spellings' ranks plus 100, then the other spellings.
    static let foldedKeyTable: [String: (Field, Int)] = {
        var t: [String: (Field, Int)] = [:]
        func add(_ key: String, _ f: Field, _ rank: Int) {
            let k = folded(key)
            if let old = t[k], old.1 <= rank { return }
            t[k] = (f, rank)
        }
        for (f, keys) in spellings { for (rank, k) in keys.enumerated() { add(k, f, rank + 100) } }
        for (f, keys) in otherSpellings { for (rank, k) in keys.enumerated() { add(k, f, rank + 200) } }
        return t
    }()

    /// The field a key names and how good a spelling it is (lower is better): exact spellings
    /// first, then the same folded, then other tools' names.
    static func field(forKey k: String) -> (Field, Int)? {
        // Journald's and the exact spellings are case-sensitive; the rest are looked up folded.
        keyTable[k] ?? foldedKeyTable[folded(k)]
    }

    /// The folded half of ``field(forKey:)`` for a key with no exact spelling, remembered.
    private mutating func foldedField(forKey k: String) -> (Field, Int)? {
        if let known = foldedKeys[k] { return known }
        let hit = StructuredRecordMapper.foldedKeyTable[StructuredRecordMapper.folded(k)]
        if foldedKeys.count < 4096 { foldedKeys[k] = .some(hit) }
        return hit
    }

    /// Whether a key (a JSON member or a CSV column) names the record's time.
    static func isTimestampKey(_ k: String) -> Bool { field(forKey: k)?.0 == .timestamp }

    /// The event for a record given as a dictionary.
    mutating func event(from record: [String: JSONValue], file: String?, line: Int) -> LineResult {
        event(members: record.map { ($0.key, $0.value) }, file: file, line: line)
    }

    /// The event for a record's members, in document order.
    mutating func event(members: [(String, JSONValue)], file: String?, line: Int) -> LineResult {
        var slots = [JSONValue?](repeating: nil, count: Field.allCases.count)
        var ranks = [Int](repeating: Int.max, count: Field.allCases.count)
        var keys = [String?](repeating: nil, count: Field.allCases.count)
        var extra: [String: JSONValue] = [:]
        var ecsEvent: [String: JSONValue]?
        for (k, v) in members {
            if let (f, rank) = StructuredRecordMapper.keyTable[k] ?? foldedField(forKey: k) {
                if f == .location { continue } // where it was read wins over what the record claims
                if f == .eventType, case .object(let o) = v { // ECS's `event` object: read below
                    extra[k] = v
                    ecsEvent = o
                    continue
                }
                if v != .null, rank < ranks[f.rawValue] {
                    if let old = slots[f.rawValue], let oldKey = keys[f.rawValue] {
                        extra[oldKey] = old
                    }
                    slots[f.rawValue] = v
                    ranks[f.rawValue] = rank
                    keys[f.rawValue] = k
                } else if v != .null {
                    extra[k] = v
                }
            } else if options.keepsMessages {
                // Fields Tripline does not model are kept for what shows events (parse, the
                // dashboard), not for detection, which reads none of them: an analysis keeps an
                // event's size to what it needs (a CSV of 100,000 columns made each event
                // megabytes, held by the thousand in the reorder window).
                extra[k] = v
            }
        }
        if let o = ecsEvent { StructuredRecordMapper.unfold(ecsEvent: o, into: &slots) }
        func text(_ f: Field) -> String? {
            guard let v = slots[f.rawValue] else { return nil }
            if case .object(let o) = v {
                // ECS style: {"user": {"name": "alice"}}, {"source": {"ip": "…"}}, {"host": {"name": …}}
                return (o["name"] ?? o["ip"] ?? o["address"])?.scalarText
            }
            let s = v.scalarText
            return s?.isEmpty == true ? nil : s
        }

        guard let tsValue = slots[Field.timestamp.rawValue] else {
            return .skipped(.missingTimestamp, detail: "no timestamp field (expected one of: timestamp, @timestamp, time, __REALTIME_TIMESTAMP)")
        }
        guard let ts = timestamp(tsValue) else {
            return .skipped(.badTimestamp, detail: "timestamp \(tsValue.scalarText.map { "\"\($0.prefix(40))\"" } ?? "value") is not a time Tripline reads (ISO 8601, epoch seconds, RFC 2822, common log format)")
        }
        var e = LogEvent(timestamp: ts, file: file, line: line)
        e.user = text(.user)
        e.sourceIP = text(.sourceIP)
        var impliedOutcome: Outcome?
        if let t = text(.eventType) { (e.eventType, impliedOutcome) = StructuredRecordMapper.eventType(t) }
        e.action = text(.action)
        if slots[Field.eventType.rawValue] == nil, let a = e.action {
            // No event type, but an action that names one ("logon", "failed_login", "sudo").
            let (t, implied) = StructuredRecordMapper.eventType(a)
            if StructuredRecordMapper.kindsAnActionNames.contains(t) { e.eventType = t; impliedOutcome = implied }
        }
        e.message = text(.message) ?? ""
        if !options.keepsMessages, e.message.utf8.count > StructuredRecordMapper.detectionMessageBytes {
            // Detection reads the start of a message (what kind of event it tells); the rest of
            // a megabyte of it is not held.
            e.message = String(decoding: e.message.utf8.prefix(StructuredRecordMapper.detectionMessageBytes), as: UTF8.self)
        }
        e.host = text(.host) ?? options.defaultHost
        e.program = text(.program)
        if let p = slots[Field.pid.rawValue]?.numberValue, p >= 0, p < 1e10 { e.pid = Int(p) }
        if let p = slots[Field.sourcePort.rawValue]?.numberValue, p >= 0, p <= 65535 { e.sourcePort = Int(p) }
        e.authMethod = text(.authMethod)
        if let v = slots[Field.invalidUser.rawValue] {
            if case .bool(let b) = v { e.invalidUser = b } else { e.invalidUser = ["true", "1", "yes"].contains(v.scalarText?.lowercased() ?? "") }
        }
        e.targetUser = text(.targetUser)
        e.command = text(.command)
        if let n = slots[Field.repeatCount.rawValue]?.numberValue, n >= 1 {
            e.repeatCount = Int(min(n, Double(SyslogParser.maxRepeats)))
        }
        if let o = text(.outcome) {
            e.outcome = Outcome(rawValue: o.lowercased()) ?? Outcome(action: o)
        } else if let a = e.action {
            e.outcome = Outcome(action: a)
        }
        if e.outcome == .unknown, let implied = impliedOutcome { e.outcome = implied }
        e.extra = extra
        if slots[Field.eventType.rawValue] == nil, e.action == nil, slots[Field.outcome.rawValue] == nil, !e.message.isEmpty {
            readMessage(into: &e)
        }
        return .event(e)
    }

    /// Elastic Common Schema keeps what happened in an `event` object (`{"category":
    /// ["authentication"], "outcome": "failure", "action": "ssh_login"}`): its action, outcome and
    /// an authentication category fill those fields where the record's top level did not; the
    /// object itself is kept among the extra fields.
    static func unfold(ecsEvent o: [String: JSONValue], into slots: inout [JSONValue?]) {
        if slots[Field.action.rawValue] == nil, let a = o["action"], a.scalarText != nil { slots[Field.action.rawValue] = a }
        if slots[Field.outcome.rawValue] == nil, let r = o["outcome"], r.scalarText != nil { slots[Field.outcome.rawValue] = r }
        guard slots[Field.eventType.rawValue] == nil else { return }
        let authentication: Bool
        switch o["category"] {
        case .array(let list)?: authentication = list.contains { $0.scalarText == "authentication" }
        case let v?: authentication = v.scalarText == "authentication"
        case nil: authentication = false
        }
        if authentication { slots[Field.eventType.rawValue] = .string("authentication") }
    }

    /// Classifies the log text a record carries (see the type's notes), filling in what the
    /// record did not give.
    private mutating func readMessage(into e: inout LogEvent) {
        let reader = textReader ?? TextReader(options: options)
        textReader = reader
        var text = e.message
        let read: LogEvent? = text.withUTF8 { buf -> LogEvent? in
            let span = ByteSpan(buf)
            if e.program != nil {
                let (inner, repeats) = SyslogParser.unwrapRepeat(span)
                var c = reader.classifier.classify(message: inner, timestamp: e.timestamp, host: e.host, program: e.program, pid: e.pid,
                                            file: e.file, line: e.line)
                c.repeatCount = repeats
                return c
            }
            // A raw syslog line: its header names the program (the record's time stays).
            if case .event(let c) = reader.syslog.parse(span, file: e.file, line: e.line), c.program != nil { return c }
            return nil
        }
        guard let c = read, c.eventType != .other else { return }
        e.eventType = c.eventType
        e.outcome = c.outcome
        e.action = c.action
        e.user = e.user ?? c.user
        e.sourceIP = e.sourceIP ?? c.sourceIP
        e.sourcePort = e.sourcePort ?? c.sourcePort
        e.authMethod = e.authMethod ?? c.authMethod
        e.invalidUser = e.invalidUser || c.invalidUser
        e.targetUser = e.targetUser ?? c.targetUser
        e.command = e.command ?? c.command
        e.host = e.host ?? c.host
        e.program = e.program ?? c.program
        e.pid = e.pid ?? c.pid
        if c.repeatCount > 1 { e.repeatCount = min(SyslogParser.maxRepeats, e.repeatCount * c.repeatCount) }
    }

    /// A timestamp from an ISO 8601 string, epoch seconds (milliseconds and microseconds are
    /// recognised by magnitude), or one of the other shapes ``LooseTimestamp`` reads.
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
                if let (micros, hasOffset) = LooseTimestamp.parse(span) {
                    return Timestamp(microseconds: hasOffset ? micros : clock.utc(localMicros: micros))
                }
                return nil
            }
        default:
            return nil
        }
    }

    private func epoch(_ d: Double) -> Timestamp? {
        // Beyond 1e17 (microseconds: the year 5138) is no time a log holds, and would not fit.
        guard d.isFinite, d >= 0, d < 1e17 else { return nil }
        if d >= 1e14 { return Timestamp(microseconds: Int64(d)) }
        if d >= 1e11 { return Timestamp(microseconds: Int64(d * 1000)) }
        return Timestamp(seconds: d)
    }

    /// The kinds an `action` alone is taken to name when a record has no event type.
    static let kindsAnActionNames: Set<EventType> = [.login, .logout, .sudo, .su, .passwordChange]

    /// A structured source's event type, with the usual other names for a login (`auth`,
    /// `authentication`, `logon`, `ssh_login`, …), a logout, sudo (`sudo_command`, `run_as`,
    /// `elevation`) and su (`switch_user`) read as those (a brute force logged as
    /// `authentication` failures is still one, and a refused `sudo_command` is not file access),
    /// and the outcome a name implies (`failed_login`, `sudo_denied`). Other kinds keep their own
    /// name.
    static func eventType(_ raw: String) -> (EventType, Outcome?) {
        let t = EventType(rawValue: raw)
        switch t.rawValue {
        case "auth", "authentication", "authenticate", "authn", "logon", "log_in", "signin", "sign_in", "ssh", "ssh_login",
             "sshd", "user_login", "login_attempt", "auth_attempt", "authentication_attempt", "logon_attempt", "sign_in_attempt":
            return (.login, nil)
        case "failed_login", "login_failed", "login_failure", "failed_logon", "logon_failure", "auth_failure", "auth_failed",
             "authentication_failure", "authentication_failed", "failed_authentication", "failed_auth", "signin_failure", "sign_in_failure":
            return (.login, .failure)
        case "successful_login", "login_success", "login_succeeded", "logon_success", "auth_success", "authentication_success",
             "authentication_succeeded", "signin_success", "sign_in_success":
            return (.login, .success)
        case "logoff", "log_off", "log_out", "signout", "sign_out":
            return (.logout, nil)
        case "password_reset", "change_password", "password_changed", "passwd":
            return (.passwordChange, nil)
        case "sudo_command", "sudo_attempt", "sudo_auth", "sudo_exec", "sudo_execution", "sudo_use", "privilege_use",
             "privileged_command", "run_as", "runas", "elevation", "elevate":
            return (.sudo, nil)
        case "sudo_failure", "sudo_failed", "sudo_denied", "failed_sudo", "elevation_failure", "elevation_denied":
            return (.sudo, .failure)
        case "su_attempt", "switch_user", "su_session", "substitute_user":
            return (.su, nil)
        case "su_failure", "su_failed", "failed_su":
            return (.su, .failure)
        default:
            return (t, nil)
        }
    }
}
