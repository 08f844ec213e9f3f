/// One normalised log event: what happened, to whom, from where, and where it was read.
///
/// Every parser (syslog, NDJSON, JSON array, CSV) produces these, and everything downstream
/// (detection, the dashboard, the API) consumes them. Text fields hold attacker-controlled
/// data as logged: display code must neutralise control characters before showing them.
public struct LogEvent: Sendable, Hashable {
    /// When it happened, UTC.
    public var timestamp: Timestamp
    /// The machine that logged it (syslog host, or a structured `host` field).
    public var host: String?
    /// The program that logged it (`sshd`, `sudo`, …).
    public var program: String?
    /// The process id of the logging program, when given.
    public var pid: Int?
    /// The account the event is about (the one logging in, running sudo, …).
    public var user: String?
    /// The remote address or host name as logged (`rhost=www.example.com` stays a name).
    public var sourceIP: String?
    /// The remote port, when logged.
    public var sourcePort: Int?
    /// The kind of event.
    public var eventType: EventType
    /// Whether it worked.
    public var outcome: Outcome
    /// A finer verb: the structured source's original `action`, or the syslog message's kind
    /// (`accepted`, `failed`, `invalid_user`, `not_in_sudoers`, …).
    public var action: String?
    /// The authentication method (`password`, `publickey`, `keyboard-interactive/pam`, …).
    public var authMethod: String?
    /// Whether the account named does not exist on the host (sshd's "invalid user").
    public var invalidUser: Bool
    /// The account being switched to (sudo's `USER=`, su's target).
    public var targetUser: String?
    /// The command run (sudo's `COMMAND=`).
    public var command: String?
    /// The log message (for syslog, the text after the program tag).
    public var message: String
    /// The file the event was read from (`-` for standard input).
    public var file: String?
    /// The 1-based line number in that file.
    public var line: Int
    /// Fields of a structured source that Tripline does not model, kept as they were.
    public var extra: [String: JSONValue]
    /// How many times the line stands for this event: syslog's `message repeated N times: [ … ]`
    /// is the message N more times. It stays one event with a count (never N copies, so a
    /// line costs the same whatever N it claims); the detector weighs it by the count.
    public var repeatCount = 1

    /// An event; everything but the time, kind, outcome and message is optional.
    @inline(never)
    public init(
        timestamp: Timestamp, host: String? = nil, program: String? = nil, pid: Int? = nil,
        user: String? = nil, sourceIP: String? = nil, sourcePort: Int? = nil,
        eventType: EventType = .other, outcome: Outcome = .unknown, action: String? = nil,
        authMethod: String? = nil, invalidUser: Bool = false, targetUser: String? = nil,
        command: String? = nil, message: String = "", file: String? = nil, line: Int = 0,
        extra: [String: JSONValue] = [:]
    ) {
        self.timestamp = timestamp
        self.host = host
        self.program = program
        self.pid = pid
        self.user = user
        self.sourceIP = sourceIP
        self.sourcePort = sourcePort
        self.eventType = eventType
        self.outcome = outcome
        self.action = action
        self.authMethod = authMethod
        self.invalidUser = invalidUser
        self.targetUser = targetUser
        self.command = command
        self.message = message
        self.file = file
        self.line = line
        self.extra = extra
    }

    /// The end of an sshd message logged before authentication finished (OpenSSH's
    /// `[preauth]`), and the whole message of such an event read without messages
    /// (``ParseOptions/keepsMessages``).
    public static let preauthMark = preauthMarkBytes.description
    static let preauthMarkBytes: StaticString = "[preauth]"

    /// Whether sshd logged this before the client authenticated (its message ends `[preauth]`).
    /// Compared byte for byte, as the parser finds it in a line.
    public var isPreauth: Bool {
        let mark = LogEvent.preauthMark.utf8
        return message.utf8.count >= mark.count && message.utf8.suffix(mark.count).elementsEqual(mark)
    }

    /// `file:line`, the way evidence is cited.
    public var location: EvidenceLocation { EvidenceLocation(file: file ?? "-", line: line) }

    /// The field names this type writes and reads; a structured record's other keys go to `extra`.
    public static let modelledFields: Set<String> = [
        "timestamp", "host", "program", "pid", "user", "source_ip", "source_port", "event_type",
        "outcome", "action", "auth_method", "invalid_user", "target_user", "command", "message",
        "file", "line", "repeat_count",
    ]

    /// Appends the event as one JSON object (no newline), the schema of `tripline parse`.
    ///
    /// Field names follow the prototype (`timestamp, user, source_ip, event_type, action,
    /// message`) and snake_case for the rest; absent values are `null`, so every line has
    /// the same keys. Extra structured fields follow, sorted by key.
    public func writeJSON(to w: inout JSONWriter) {
        typealias C = JSONWriter.Cursor
        // Room for everything but `extra`, made once: this is `tripline parse`'s hot path.
        let room = 400 + CivilTime.isoRoom + C.room(user) + C.room(sourceIP) + C.room(eventType.rawValue) + C.room(action)
            + C.room(message) + C.room(outcome.rawValue) + C.room(host) + C.room(program) + C.room(authMethod) + C.room(targetUser)
            + C.room(command) + C.room(file)
        w.withRoom(room) { c in
            c.raw("{\"timestamp\":\""); CivilTime.writeISO8601(timestamp, to: &c); c.byte(0x22)
            c.raw(",\"user\":"); c.optionalString(user)
            c.raw(",\"source_ip\":"); c.optionalString(sourceIP)
            c.raw(",\"event_type\":"); c.string(eventType.rawValue)
            c.raw(",\"action\":"); c.optionalString(action)
            c.raw(",\"message\":"); c.string(message)
            c.raw(",\"outcome\":"); c.string(outcome.rawValue)
            c.raw(",\"host\":"); c.optionalString(host)
            c.raw(",\"program\":"); c.optionalString(program)
            c.raw(",\"pid\":"); if let pid { c.int(pid) } else { c.raw("null") }
            c.raw(",\"source_port\":"); if let sourcePort { c.int(sourcePort) } else { c.raw("null") }
            c.raw(",\"auth_method\":"); c.optionalString(authMethod)
            c.raw(invalidUser ? ",\"invalid_user\":true" : ",\"invalid_user\":false")
            c.raw(",\"target_user\":"); c.optionalString(targetUser)
            c.raw(",\"command\":"); c.optionalString(command)
            c.raw(",\"file\":"); c.optionalString(file)
            c.raw(",\"line\":"); c.int(line)
            c.raw(",\"repeat_count\":"); c.int(repeatCount)
        }
        if !extra.isEmpty {
            writeExtra(to: &w)
        }
        w.bytes.append(UInt8(ascii: "}"))
    }

    /// The members beyond the modelled fields, keys sorted (most events have none).
    private func writeExtra(to w: inout JSONWriter) {
        for k in extra.keys.sorted() {
            w.raw(",")
            w.string(k)
            w.bytes.append(0x3A)
            w.value(extra[k] ?? .null)
        }
    }

    /// The event as a JSON object string.
    public var jsonString: String {
        var w = JSONWriter()
        writeJSON(to: &w)
        return String(decoding: w.bytes, as: UTF8.self)
    }
}
