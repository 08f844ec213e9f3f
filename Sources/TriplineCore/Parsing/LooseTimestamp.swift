/// Record timestamps in the other shapes logging tools write, tried when a structured record's
/// time is not ISO 8601 or epoch seconds:
///
/// - `2024/01/15 10:30:00[.frac][ zone]` (slashes for dashes)
/// - `15/Jan/2024:10:30:00 +0000` (web servers' common log format)
/// - `Mon, 15 Jan 2024 10:30:00 GMT` (RFC 2822, e-mail and HTTP)
/// - `Jan 15 2024 10:30:00` and `Mon Jan 15 10:30:00 2024` (C's `asctime`, `date`)
/// - `Jan 15, 2024 @ 10:30:00.000` (Kibana's CSV export)
///
/// A zone is `Z`, `UTC`, `GMT` or `±HH[:]MM`; without one the time is wall-clock time (the caller
/// applies `--timezone`). All-numeric day/month orders (`01/02/2024`) are ambiguous and refused.
enum LooseTimestamp {
    static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// UTC microseconds when a zone was given, else wall-clock microseconds; nil when unreadable.
    static func parse(_ s: ByteSpan) -> (micros: Int64, hasOffset: Bool)? {
        // Slashes for dashes: the ISO reader does the rest.
        if s.count >= 10, s.at(4) == UInt8(ascii: "/"), s.at(7) == UInt8(ascii: "/") {
            var bytes = (0..<s.count).map { s[$0] }
            bytes[4] = UInt8(ascii: "-"); bytes[7] = UInt8(ascii: "-")
            return bytes.withUnsafeBufferPointer { buf -> (Int64, Bool)? in
                let b = ByteSpan(buf)
                guard case .valid(let micros, let hasOffset, let end)? = ISOTimestamp.parse(b, at: 0), end == b.count else { return nil }
                return (micros, hasOffset)
            }
        }
        // Words and numbers, with the clock time and the zone picked out.
        var year: Int?, month: Int?, day: Int?
        var clock: (h: Int, m: Int, s: Int, micro: Int)?
        var offset: Int64?
        var i = 0
        while i < s.count {
            let c = s[i]
            if c == 0x20 || c == UInt8(ascii: ",") || c == UInt8(ascii: "/") || c == UInt8(ascii: "@") { i += 1; continue }
            if clock == nil, let (h, m, sec, micro, end) = ISOTimestamp.clockTime(s, at: i) {
                guard h < 24, m < 60, sec <= 60 else { return nil }
                clock = (h, m, min(sec, 59), micro)
                i = end
                continue
            }
            if c == UInt8(ascii: ":"), clock == nil { i += 1; continue } // CLF's date:time
            if c == UInt8(ascii: "+") || c == UInt8(ascii: "-"), clock != nil {
                guard let (seconds, end) = zoneOffset(s, at: i) else { return nil }
                offset = seconds
                i = end
                continue
            }
            var end = i
            while end < s.count, s[end] != 0x20, s[end] != UInt8(ascii: ","), s[end] != UInt8(ascii: "/"), s[end] != UInt8(ascii: ":") { end += 1 }
            let word = s.string(i, end).lowercased()
            if let n = Int(word) {
                if word.count == 4 { guard year == nil else { return nil }; year = n } else if word.count <= 2 { guard day == nil else { return nil }; day = n } else { return nil }
            } else if ["z", "utc", "gmt", "ut"].contains(word) {
                offset = 0
            } else if word.count >= 3, let k = months.firstIndex(of: String(word.prefix(3))) {
                guard month == nil else { return nil }
                month = k + 1
            } else if word.count >= 3, ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].contains(String(word.prefix(3))) {
                // the day of the week says nothing more
            } else {
                return nil
            }
            i = end
        }
        guard let y = year, let mo = month, let d = day, let t = clock, d >= 1, d <= CivilTime.daysInMonth(year: y, month: mo) else { return nil }
        let local = Timestamp(year: y, month: mo, day: d, hour: t.h, minute: t.m, second: t.s, microsecond: t.micro).microseconds
        if let offset { return (local - offset * 1_000_000, true) }
        return (local, false)
    }

    /// `±HHMM`, `±HH:MM` or `±HH` at `i`: the offset in seconds east of UTC and the index after.
    static func zoneOffset(_ s: ByteSpan, at i: Int) -> (seconds: Int64, end: Int)? {
        let sign: Int64 = s.at(i) == UInt8(ascii: "-") ? -1 : 1
        guard let (v, end) = s.digits(at: i + 1, max: 4) else { return nil }
        var hours = v, minutes = 0, after = end
        switch end - i - 1 {
        case 4: hours = v / 100; minutes = v % 100
        case 2:
            if s.at(end) == UInt8(ascii: ":"), let (m, e) = s.digits(at: end + 1, max: 2), e - end == 3 { minutes = m; after = e }
        default: return nil
        }
        guard hours <= 23, minutes < 60 else { return nil }
        return (sign * Int64(hours * 3600 + minutes * 60), after)
    }
}
