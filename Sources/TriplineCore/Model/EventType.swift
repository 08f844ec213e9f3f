/// What kind of thing an event records: a login, a sudo command, a file access, …
///
/// Syslog parsing yields the well-known kinds below; a structured source may name any other
/// kind (`file_access`, `api_call`), which is kept under its own name.
public struct EventType: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// The kind's name, snake_case.
    public let rawValue: String
    /// A kind by name; the name is lower-cased and spaces or dashes become underscores.
    public init(rawValue: String) {
        if rawValue.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x5F || ($0 >= 0x30 && $0 <= 0x39) }) {
            self.rawValue = rawValue
            return
        }
        var s = rawValue.lowercased()
        if s.contains(" ") || s.contains("-") {
            s = String(s.map { $0 == " " || $0 == "-" ? "_" : $0 })
        }
        self.rawValue = s
    }
    @usableFromInline init(known: String) { self.rawValue = known }

    public var description: String { rawValue }

    /// An authentication attempt (ssh, PAM services, structured logins).
    public static let login = EventType(known: "login")
    /// The end of a logged-in session as the service reports it.
    public static let logout = EventType(known: "logout")
    /// A session opened (PAM, systemd-logind).
    public static let sessionOpen = EventType(known: "session_open")
    /// A session closed (PAM, systemd-logind).
    public static let sessionClose = EventType(known: "session_close")
    /// A sudo command or attempt.
    public static let sudo = EventType(known: "sudo")
    /// An su attempt.
    public static let su = EventType(known: "su")
    /// A password change.
    public static let passwordChange = EventType(known: "password_change")
    /// An account created, deleted or modified.
    public static let userChange = EventType(known: "user_change")
    /// A group created, deleted or modified.
    public static let groupChange = EventType(known: "group_change")
    /// A network connection opened or refused.
    public static let connection = EventType(known: "connection")
    /// A network connection closed (before or after authentication).
    public static let disconnect = EventType(known: "disconnect")
    /// Anything else the parser read but does not classify.
    public static let other = EventType(known: "other")

    public init(from decoder: Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
}
