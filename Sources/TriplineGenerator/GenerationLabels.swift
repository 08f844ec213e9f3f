import TriplineCore

/// The ground truth written beside generated logs (`labels.json`): every planted attack with
/// when, from where and against whom, and the benign situations that look unusual but are not.
struct GenerationLabels {
    struct Attack {
        var id: String
        var kind: AttackKind
        var start: Int64
        var end: Int64
        var sourceIP: String?
        var users: [String]
        var host: String
        var events: Int
        var description: String
    }

    struct Benign {
        var kind: String
        var user: String
        var sourceIP: String?
        var time: Int64
        var description: String
    }

    var attacks: [Attack] = []
    var benign: [Benign] = []

    func json(config: GeneratorConfig, syslogLines: Int, records: Int) -> [UInt8] {
        var w = JSONWriter()
        func ts(_ m: Int64) { w.string(Timestamp(microseconds: m).iso8601) }
        w.raw("{\n  "); w.key("generator"); w.raw("{")
        w.key("seed"); w.int(config.seed); w.raw(","); w.key("days"); w.int(config.days)
        w.raw(","); w.key("users"); w.int(config.users); w.raw(","); w.key("attacks_per_kind"); w.int(config.attacksPerKind)
        w.raw(","); w.key("start"); ts(Int64(config.startDay) * 86_400_000_000)
        w.raw(","); w.key("clean_days"); w.int(config.cleanDays)
        w.raw(","); w.key("syslog_lines"); w.int(syslogLines); w.raw(","); w.key("ndjson_records"); w.int(records)
        w.raw("},\n  "); w.key("files"); w.raw("{"); w.key("syslog"); w.string(GeneratorConfig.syslogFile); w.raw(","); w.key("ndjson"); w.string(GeneratorConfig.ndjsonFile); w.raw("},\n  ")
        w.key("attacks"); w.raw("[")
        for (i, a) in attacks.enumerated() {
            w.raw(i == 0 ? "\n    {" : ",\n    {")
            w.key("id"); w.string(a.id)
            w.raw(","); w.key("kind"); w.string(a.kind.rawValue)
            w.raw(","); w.key("start"); ts(a.start)
            w.raw(","); w.key("end"); ts(a.end)
            w.raw(","); w.key("source_ip"); if let s = a.sourceIP { w.string(s) } else { w.raw("null") }
            w.raw(","); w.key("users"); w.value(.array(a.users.map { .string($0) }))
            w.raw(","); w.key("host"); w.string(a.host)
            w.raw(","); w.key("techniques"); w.value(.array(a.kind.techniques.map { .string($0) }))
            w.raw(","); w.key("events"); w.int(a.events)
            w.raw(","); w.key("in_syslog"); a.kind.inSyslog ? w.raw("true") : w.raw("false")
            w.raw(","); w.key("in_ndjson"); a.kind.inNDJSON ? w.raw("true") : w.raw("false")
            w.raw(","); w.key("description"); w.string(a.description)
            w.raw("}")
        }
        w.raw("\n  ],\n  "); w.key("benign"); w.raw("[")
        for (i, b) in benign.enumerated() {
            w.raw(i == 0 ? "\n    {" : ",\n    {")
            w.key("kind"); w.string(b.kind)
            w.raw(","); w.key("user"); w.string(b.user)
            w.raw(","); w.key("source_ip"); if let s = b.sourceIP { w.string(s) } else { w.raw("null") }
            w.raw(","); w.key("time"); ts(b.time)
            w.raw(","); w.key("description"); w.string(b.description)
            w.raw("}")
        }
        w.raw("\n  ]\n}\n")
        return w.bytes
    }
}
