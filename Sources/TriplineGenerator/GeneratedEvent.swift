/// One generated log event: a syslog line, a structured record, or both.
struct GeneratedEvent {
    /// UTC microseconds.
    var time: Int64
    var seq = 0
    var host: String
    /// The syslog program; nil for events only the structured form carries (file access).
    var program: String?
    var pid: Int
    var message: String
    /// The prototype-schema record, for events the structured form carries.
    var record: Record?

    struct Record {
        var user: String?
        var sourceIP: String?
        var eventType: String
        var action: String
        var extra: [(String, String)] = []
    }
}
