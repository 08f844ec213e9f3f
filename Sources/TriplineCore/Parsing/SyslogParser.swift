import Foundation

/// Reads syslog lines: classic BSD (`Mar 30 15:54:19 host prog[pid]: msg`, with or without the
/// host, `<PRI>` or a year), RFC 3339/ISO timestamps as rsyslog and journald write them
/// (`2024-01-02T03:04:05.123456+01:00`, `2020-03-23 06:47:42.801612-0700`), and RFC 5424
/// (`<38>1 2019-07-08T17:40:16.95-04:00 host sshd 57915 - - msg`). The message is then read by
/// ``AuthMessageClassifier`` (sshd, PAM, sudo, su, account changes, logind).
///
/// It is a value with a little state: the year of the file (for lines without one) and sshd's
/// per-connection context (which address a process id belongs to). Use one parser per file.
public struct SyslogParser {
    private var years: YearTracker
    private var clock: LocalTimeConverter
    private var classifier = AuthMessageClassifier()
    /// The host of lines that name none (the folder of a central syslog server's file).
    private let defaultHost: String?
    /// Whether events keep their message (see ``ParseOptions/keepsMessages``).
    private let keepsMessages: Bool
    /// The last timestamp read, read again without parsing when the next line repeats it.
    private var lastTimestamp = TimestampMemo()

    /// A parser for one file.
    public init(options: ParseOptions = ParseOptions()) {
        years = YearTracker(fixed: options.year, reference: options.referenceDate)
        clock = LocalTimeConverter(zone: options.timeZone)
        defaultHost = options.defaultHost
        keepsMessages = options.keepsMessages
    }

    /// Parses one line (without its line terminator).
    public mutating func parse(_ s: ByteSpan, file: String?, line: Int) -> LineResult {
        var i = 0
        // Optional <PRI>.
        if s.at(0) == UInt8(ascii: "<") {
            var j = 1
            while j < s.count, j < 5, s[j] >= 0x30, s[j] <= 0x39 { j += 1 }
            if j > 1, s.at(j) == UInt8(ascii: ">") {
                i = j + 1
                // RFC 5424: version "1" then a space.
                if s.at(i) == UInt8(ascii: "1"), s.at(i + 1) == 0x20 {
                    return parse5424(s, from: i + 2, file: file, line: line)
                }
            }
        }
        guard let (micros, afterTime) = timestamp(s, at: i) else {
            return .skipped(.noSyslogHeader, detail: nil)
        }
        guard micros != Int64.min else { return .skipped(.badTimestamp, detail: nil) }
        var p = s.skipSpaces(from: afterTime)

        // Host, then tag; a tag-looking first token means the host was left out.
        var host = defaultHost
        var program: String?
        var pid: Int?
        let firstEnd = s.endOfToken(from: p)
        if firstEnd > p, !looksLikeTag(s, p, firstEnd) {
            host = s.string(p, firstEnd)
            p = s.skipSpaces(from: firstEnd)
        }
        let msgStart: Int
        let tagEnd = s.endOfToken(from: p)
        if tagEnd > p, looksLikeTag(s, p, tagEnd) {
            (program, pid) = tag(s, p, tagEnd)
            msgStart = s.skipSpaces(from: tagEnd)
        } else if let colon = tagColon(s, from: p) {
            // A tag with spaces inside brackets is rare; take up to the first ": ".
            (program, pid) = tag(s, p, colon + 1)
            msgStart = s.skipSpaces(from: colon + 1)
        } else {
            msgStart = p
        }
        var msg = s.suffix(from: msgStart)
        msg = stripSolarisPrefix(msg)
        // Trailing spaces are noise (fail2ban's samples have some).
        var end = msg.count
        while end > 0, msg[end - 1] == 0x20 { end -= 1 }
        msg = msg.slice(0, end)
        return event(message: msg, micros: micros, host: host, program: program, pid: pid, file: file, line: line)
    }

    /// The event of a message, unfolding rsyslog's "message repeated N times: [ … ]".
    private mutating func event(message msg: ByteSpan, micros: Int64, host: String?, program: String?, pid: Int?,
                                file: String?, line: Int) -> LineResult {
        // rsyslog's "message repeated N times: [ … ]" stands for its inner message N times.
        let (inner, repeats) = msg.count > 17 && msg[0] == UInt8(ascii: "m") ? SyslogParser.unwrapRepeat(msg) : (msg, 1)
        // Built here and classified in place (returned by the classifier, it was copied once
        // more: every string retained and released again).
        let message = keepsMessages ? inner.string : inner.hasSuffix(LogEvent.preauthMarkBytes) ? LogEvent.preauthMark : ""
        var e = LogEvent(timestamp: Timestamp(microseconds: micros), host: host, program: program, pid: pid,
                         message: message, file: file, line: line)
        classifier.classify(&e, message: inner)
        e.repeatCount = repeats
        return .event(consume e)
    }

    /// The most copies one "message repeated" line stands for (a local user can write such a
    /// line with `logger`; this bounds what it can cost).
    public static let maxRepeats = 1000

    /// rsyslog's and syslog-ng's `message repeated N times: [ msg]` (the previous message, N
    /// more times): the inner message and N; otherwise the message and 1.
    static func unwrapRepeat(_ m: ByteSpan) -> (ByteSpan, Int) {
        guard m.hasPrefix("message repeated "), let (n, end) = m.digits(at: 17, max: 9), n > 0,
              m.matches(" times: [", at: end), m.count > end + 9, m[m.count - 1] == UInt8(ascii: "]") else {
            return (m, 1)
        }
        let inner = m.slice(m.skipSpaces(from: end + 9), m.count - 1)
        var e = inner.count
        while e > 0, inner[e - 1] == 0x20 { e -= 1 }
        return (inner.slice(0, e), min(n, maxRepeats))
    }

    // MARK: - Timestamps

    /// Parses a classic or ISO timestamp at `i`. Returns UTC microseconds (Int64.min when the
    /// shape is right but the values are not) and the index after it; nil when there is none.
    private mutating func timestamp(_ s: ByteSpan, at i: Int) -> (Int64, Int)? {
        if let known = lastTimestamp.lookUp(s, at: i) { return known }
        let read = readTimestamp(s, at: i)
        if let (micros, end) = read, micros != Int64.min {
            lastTimestamp.keep(s, at: i, end: end, micros: micros)
        } else {
            lastTimestamp.forget()
        }
        return read
    }

    /// ``timestamp(_:at:)`` read from the bytes.
    private mutating func readTimestamp(_ s: ByteSpan, at i: Int) -> (Int64, Int)? {
        let c = s.at(i)
        if c >= 0x30 && c <= 0x39 { return isoTimestamp(s, at: i) }
        guard let month = SyslogParser.month(s, at: i) else { return nil }
        var p = i + 3
        guard s.at(p) == 0x20 else { return nil }
        p = s.skipSpaces(from: p)
        guard let (day, afterDay) = s.digits(at: p, max: 2), s.at(afterDay) == 0x20 else { return nil }
        p = s.skipSpaces(from: afterDay)
        // Some writers put the year here: "Mar 30 2024 15:54:19".
        var explicitYear: Int?
        if let (y, afterYear) = s.digits(at: p, max: 4), afterYear - p == 4, s.at(afterYear) == 0x20 {
            explicitYear = y
            p = afterYear + 1
        }
        guard let (h, m, sec, micro, after) = clockTime(s, at: p) else { return nil }
        guard day >= 1, day <= 31, h < 24, m < 60, sec <= 60 else { return (Int64.min, after) }
        let year = explicitYear ?? years.year(month: month, day: day)
        guard day <= CivilTime.daysInMonth(year: year, month: month) else { return (Int64.min, after) }
        let local = Timestamp(year: year, month: month, day: day, hour: h, minute: m, second: min(sec, 59), microsecond: micro)
        return (clock.utc(localMicros: local.microseconds), after)
    }

    /// `HH:MM:SS[.frac]` at `p`.
    private func clockTime(_ s: ByteSpan, at p: Int) -> (Int, Int, Int, Int, Int)? {
        ISOTimestamp.clockTime(s, at: p)
    }

    /// An ISO timestamp at `i`, converted to UTC (local zone when it carries no offset).
    private mutating func isoTimestamp(_ s: ByteSpan, at i: Int) -> (Int64, Int)? {
        switch ISOTimestamp.parse(s, at: i) {
        case nil: return nil
        case .outOfRange(let end): return (Int64.min, end)
        case .valid(let micros, let hasOffset, let end):
            return (hasOffset ? micros : clock.utc(localMicros: micros), end)
        }
    }

    /// The month number for a three-letter English abbreviation at `i` (any case).
    static func month(_ s: ByteSpan, at i: Int) -> Int? {
        guard i + 3 <= s.count else { return nil }
        let a = s[i] | 0x20, b = s[i + 1] | 0x20, c = s[i + 2] | 0x20
        switch (a, b, c) {
        case (0x6A, 0x61, 0x6E): return 1   // jan
        case (0x66, 0x65, 0x62): return 2   // feb
        case (0x6D, 0x61, 0x72): return 3   // mar
        case (0x61, 0x70, 0x72): return 4   // apr
        case (0x6D, 0x61, 0x79): return 5   // may
        case (0x6A, 0x75, 0x6E): return 6   // jun
        case (0x6A, 0x75, 0x6C): return 7   // jul
        case (0x61, 0x75, 0x67): return 8   // aug
        case (0x73, 0x65, 0x70): return 9   // sep
        case (0x6F, 0x63, 0x74): return 10  // oct
        case (0x6E, 0x6F, 0x76): return 11  // nov
        case (0x64, 0x65, 0x63): return 12  // dec
        default: return nil
        }
    }

    // MARK: - Tags

    /// A token is a program tag when it ends in `:` or `]`, or starts with `[`.
    private func looksLikeTag(_ s: ByteSpan, _ a: Int, _ b: Int) -> Bool {
        let last = s[b - 1]
        return last == UInt8(ascii: ":") || last == UInt8(ascii: "]") || s[a] == UInt8(ascii: "[")
    }

    /// The index of a `:` that ends a tag containing spaces (`prog[a b]:`), within 64 bytes.
    private func tagColon(_ s: ByteSpan, from p: Int) -> Int? {
        guard s.at(p) != 0 else { return nil }
        var k = p
        var sawBracket = false
        while k < s.count, k - p < 64 {
            let c = s[k]
            if c == UInt8(ascii: "[") { sawBracket = true }
            if c == UInt8(ascii: ":"), sawBracket, s.at(k - 1) == UInt8(ascii: "]") { return k }
            k += 1
        }
        return nil
    }

    /// Splits `prog[pid]:`, `prog(sub)[pid]:`, `prog:`, `[prog]:`, `[prog]` into name and pid.
    private func tag(_ s: ByteSpan, _ a: Int, _ b0: Int) -> (String?, Int?) {
        var b = b0
        if s[b - 1] == UInt8(ascii: ":") { b -= 1 }
        guard b > a else { return (nil, nil) }
        var t = s.slice(a, b)
        if t.at(0) == UInt8(ascii: "["), t.at(t.count - 1) == UInt8(ascii: "]") {
            t = t.slice(1, t.count - 1)
        }
        var pid: Int?
        var nameEnd = t.count
        if t.at(t.count - 1) == UInt8(ascii: "]"), let open = t.lastIndex(of: UInt8(ascii: "[")) {
            if let (v, e) = t.digits(at: open + 1, max: 10), e == t.count - 1 { pid = v }
            nameEnd = open
        }
        // "sshd(pam_unix)" -> "sshd"; the PAM module shows in the message anyway.
        if let paren = t.firstIndex(of: UInt8(ascii: "(")), paren < nameEnd, paren > 0 { nameEnd = paren }
        return (nameEnd > 0 ? t.string(0, nameEnd) : nil, pid)
    }

    /// Drops Solaris's `[ID 800047 auth.info] ` message prefix.
    private func stripSolarisPrefix(_ m: ByteSpan) -> ByteSpan {
        guard m.hasPrefix("[ID "), let close = m.firstIndex(of: UInt8(ascii: "]")) else { return m }
        return m.suffix(from: m.skipSpaces(from: close + 1))
    }

    // MARK: - RFC 5424

    private mutating func parse5424(_ s: ByteSpan, from start: Int, file: String?, line: Int) -> LineResult {
        var p = start
        guard let (micros, afterTime) = isoTimestamp(s, at: p) else {
            // "-" means no timestamp: useless to us.
            return .skipped(.noSyslogHeader, detail: nil)
        }
        guard micros != Int64.min, s.at(afterTime) == 0x20 else { return .skipped(.badTimestamp, detail: nil) }
        p = afterTime + 1
        func field(_ p: inout Int) -> String? {
            let e = s.endOfToken(from: p)
            defer { p = min(e + 1, s.count) }
            if e - p == 1, s[p] == UInt8(ascii: "-") { return nil }
            return e > p ? s.string(p, e) : nil
        }
        let host = field(&p)
        let app = field(&p)
        let procid = field(&p)
        _ = field(&p) // MSGID
        // Structured data: "-" or one or more [id k="v" ...] with \] and quotes inside values.
        if s.at(p) == UInt8(ascii: "-") {
            p += 1
        } else {
            while s.at(p) == UInt8(ascii: "[") {
                var inQuote = false
                p += 1
                while p < s.count {
                    let c = s[p]
                    if c == UInt8(ascii: "\\") { p += 2; continue }
                    if c == UInt8(ascii: "\"") { inQuote.toggle() }
                    else if c == UInt8(ascii: "]"), !inQuote { p += 1; break }
                    p += 1
                }
            }
        }
        p = s.skipSpaces(from: p)
        if s.matches("\u{FEFF}", at: p) { p += 3 }
        var msg = s.suffix(from: p)
        var end = msg.count
        while end > 0, msg[end - 1] == 0x20 { end -= 1 }
        msg = msg.slice(0, end)
        return event(message: msg, micros: micros, host: host ?? defaultHost, program: app, pid: procid.flatMap { Int($0) }, file: file, line: line)
    }
}
