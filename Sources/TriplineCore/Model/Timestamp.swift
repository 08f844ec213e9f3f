/// A point in time, UTC, with microsecond precision, as microseconds since 1970-01-01T00:00:00Z.
///
/// Kept as an integer so that parsing, comparing and formatting need no calendar objects.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Microseconds since the Unix epoch.
    public var microseconds: Int64

    /// A timestamp from microseconds since the epoch.
    @inlinable public init(microseconds: Int64) { self.microseconds = microseconds }

    /// A timestamp from (possibly fractional) seconds since the epoch.
    @inlinable public init(seconds: Double) { self.microseconds = Int64((seconds * 1_000_000).rounded()) }

    /// A timestamp from civil UTC fields.
    @inlinable public init(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, microsecond: Int = 0) {
        let days = Int64(CivilTime.daysFromCivil(year: year, month: month, day: day))
        let secs = days * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        self.microseconds = secs * 1_000_000 + Int64(microsecond)
    }

    /// Seconds since the epoch.
    @inlinable public var seconds: Double { Double(microseconds) / 1_000_000 }

    /// Whole seconds since the epoch (rounded down).
    @inlinable public var wholeSeconds: Int64 {
        microseconds >= 0 ? microseconds / 1_000_000 : (microseconds - 999_999) / 1_000_000
    }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.microseconds < b.microseconds }

    /// ISO 8601 in UTC: `2026-01-15T10:00:00Z`, with `.mmm` or `.uuuuuu` when not whole seconds.
    public var iso8601: String { CivilTime.iso8601(self) }

    public var description: String { iso8601 }
}
