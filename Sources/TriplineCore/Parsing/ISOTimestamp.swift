/// Reads ISO 8601 / RFC 3339 timestamps from bytes: `YYYY-MM-DD[T ]HH:MM:SS[.frac][Z|±HH[:]MM]`.
enum ISOTimestamp {
    enum Result {
        /// UTC microseconds when an offset or `Z` was given, else local wall-clock microseconds.
        case valid(micros: Int64, hasOffset: Bool, end: Int)
        /// The shape is a timestamp but a value is out of range.
        case outOfRange(end: Int)
    }

    /// `HH:MM:SS[.frac]` at `p`: hour, minute, second, microsecond and the index after.
    static func clockTime(_ s: ByteSpan, at p: Int) -> (Int, Int, Int, Int, Int)? {
        guard let (h, a) = s.digits(at: p, max: 2), s.at(a) == UInt8(ascii: ":"),
              let (m, b) = s.digits(at: a + 1, max: 2), b - a == 3, s.at(b) == UInt8(ascii: ":"),
              let (sec, c) = s.digits(at: b + 1, max: 2), c - b == 3
        else { return nil }
        var micro = 0
        var end = c
        if s.at(c) == UInt8(ascii: ".") || s.at(c) == UInt8(ascii: ",") {
            var k = c + 1
            var digits = 0
            while k < s.count, s[k] >= 0x30, s[k] <= 0x39 {
                if digits < 6 { micro = micro * 10 + Int(s[k] - 0x30); digits += 1 }
                k += 1
            }
            guard k > c + 1 else { return nil }
            while digits < 6 { micro *= 10; digits += 1 }
            end = k
        }
        return (h, m, sec, micro, end)
    }

    /// Parses at `i`; nil when the text there is not a timestamp at all.
    static func parse(_ s: ByteSpan, at i: Int) -> Result? {
        guard let (y, a) = s.digits(at: i, max: 4), a - i == 4, s.at(a) == UInt8(ascii: "-"),
              let (mo, b) = s.digits(at: a + 1, max: 2), b - a == 3, s.at(b) == UInt8(ascii: "-"),
              let (d, c) = s.digits(at: b + 1, max: 2), c - b == 3
        else { return nil }
        let sepOK = s.at(c) == UInt8(ascii: "T") || s.at(c) == 0x20 || s.at(c) == UInt8(ascii: "t")
        guard sepOK, let (h, m, sec, micro, after) = clockTime(s, at: c + 1) else {
            // A bare date.
            if c == s.count, mo >= 1, mo <= 12, d >= 1, d <= CivilTime.daysInMonth(year: y, month: mo) {
                return .valid(micros: Timestamp(year: y, month: mo, day: d, hour: 0, minute: 0, second: 0).microseconds, hasOffset: false, end: c)
            }
            return nil
        }
        guard mo >= 1, mo <= 12, d >= 1, d <= CivilTime.daysInMonth(year: y, month: mo), h < 24, m < 60, sec <= 60 else {
            return .outOfRange(end: after)
        }
        let local = Timestamp(year: y, month: mo, day: d, hour: h, minute: m, second: min(sec, 59), microsecond: micro).microseconds
        var p = after
        // journald/wazuh style may put a space before the zone: "…42.801612 -0700" is rare; accept only glued.
        let z = s.at(p)
        if z == UInt8(ascii: "Z") || z == UInt8(ascii: "z") {
            return .valid(micros: local, hasOffset: true, end: p + 1)
        }
        if z == UInt8(ascii: "+") || z == UInt8(ascii: "-") {
            p += 1
            guard let (oh, q) = s.digits(at: p, max: 2), q - p == 2, oh <= 23 else { return .outOfRange(end: p) }
            var r = q
            if s.at(r) == UInt8(ascii: ":") { r += 1 }
            var om = 0
            if let (mm, t) = s.digits(at: r, max: 2), t - r == 2 { om = mm; r = t }
            let offset = Int64((oh * 3600 + om * 60) * (z == UInt8(ascii: "-") ? -1 : 1))
            return .valid(micros: local - offset * 1_000_000, hasOffset: true, end: r)
        }
        return .valid(micros: local, hasOffset: false, end: p)
    }
}

extension Timestamp {
    /// Parses ISO 8601 / RFC 3339 text; a time without an offset is taken as UTC.
    public init?(iso8601 text: String) {
        var s = text
        let r: ISOTimestamp.Result? = s.withUTF8 { ISOTimestamp.parse(ByteSpan($0).trimmed(), at: 0) }
        guard case .valid(let micros, _, _)? = r else { return nil }
        self.init(microseconds: micros)
    }
}
