/// Calendar arithmetic on the proleptic Gregorian calendar without Foundation's `Calendar`
/// (Howard Hinnant's `days_from_civil` and `civil_from_days`), fast enough for every log line.
public enum CivilTime {
    /// Days since 1970-01-01 for a civil date.
    @inlinable public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The civil date for days since 1970-01-01.
    @inlinable public static func civilFromDays(_ z0: Int) -> (year: Int, month: Int, day: Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    /// Days in a month of a year.
    @inlinable public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Broken-down UTC fields of a timestamp.
    public static func fields(_ t: Timestamp) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, microsecond: Int) {
        let secs = t.wholeSeconds
        let micro = Int(t.microseconds - secs * 1_000_000)
        var days = secs / 86_400
        var rem = secs % 86_400
        if rem < 0 { rem += 86_400; days -= 1 }
        let (y, m, d) = civilFromDays(Int(days))
        let r = Int(rem)
        return (y, m, d, r / 3600, (r % 3600) / 60, r % 60, micro)
    }

    /// ISO 8601 UTC text for a timestamp.
    public static func iso8601(_ t: Timestamp) -> String {
        var out = [UInt8]()
        out.reserveCapacity(27)
        appendISO8601(t, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends ISO 8601 UTC text for a timestamp to a byte buffer.
    public static func appendISO8601(_ t: Timestamp, to out: inout [UInt8]) {
        // Written on the stack, then appended (a JSONWriter's scratch would be made for one use).
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: isoRoom) { buf in
            guard let base = buf.baseAddress else { return }
            var c = JSONWriter.Cursor(base, limit: isoRoom)
            writeISO8601(t, to: &c)
            out.append(contentsOf: UnsafeBufferPointer(start: base, count: c.count))
        }
    }

    /// The most bytes ``writeISO8601(_:to:)`` writes (a sign, a year of up to four digits kept,
    /// and the rest).
    static let isoRoom = 32

    /// ``appendISO8601(_:to:)`` through a cursor, into room already made (``isoRoom`` bytes).
    static func writeISO8601(_ t: Timestamp, to out: inout JSONWriter.Cursor) {
        let f = fields(t)
        func two(_ v: Int) { out.byte(UInt8(48 + v / 10)); out.byte(UInt8(48 + v % 10)) }
        var y = f.year
        if y < 0 { out.byte(UInt8(ascii: "-")); y = -y }
        out.byte(UInt8(48 + (y / 1000) % 10)); out.byte(UInt8(48 + (y / 100) % 10))
        out.byte(UInt8(48 + (y / 10) % 10)); out.byte(UInt8(48 + y % 10))
        out.byte(UInt8(ascii: "-")); two(f.month); out.byte(UInt8(ascii: "-")); two(f.day)
        out.byte(UInt8(ascii: "T")); two(f.hour); out.byte(UInt8(ascii: ":")); two(f.minute)
        out.byte(UInt8(ascii: ":")); two(f.second)
        if f.microsecond != 0 {
            out.byte(UInt8(ascii: "."))
            let digits = f.microsecond % 1000 == 0 ? 3 : 6
            let v = digits == 3 ? f.microsecond / 1000 : f.microsecond
            var div = digits == 3 ? 100 : 100_000
            while div > 0 {
                out.byte(UInt8(48 + (v / div) % 10))
                div /= 10
            }
        }
        out.byte(UInt8(ascii: "Z"))
    }
}
