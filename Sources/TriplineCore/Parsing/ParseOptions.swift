import Foundation

/// Settings that shape how text becomes events.
public struct ParseOptions: Sendable {
    /// The year of the first classic syslog line (`Mar 30 15:54:19` carries none). When nil, the
    /// latest year that does not put the first line more than a day after `referenceDate`.
    public var year: Int?
    /// The zone that timestamps without an offset are in (classic syslog writes local time).
    public var timeZone: TimeZone
    /// "Now", for year inference.
    public var referenceDate: Date
    /// How far back in time an event may arrive and still be analysed in its place, in
    /// seconds (see ``ReorderWindow``); 0 analyses events in the order they are read.
    public var reorderSeconds = ReorderWindow.defaultSeconds
    /// The host of lines that name none, per file: the folder a central syslog server keeps
    /// the file's host in (see ``FolderHosts``).
    public var folderHosts: [String: String] = [:]
    /// The host of lines that name none in the file being read (set per file from
    /// `folderHosts`).
    var defaultHost: String?
    /// Whether a syslog or journal event keeps its message text. Detection reads only sshd's
    /// `[preauth]` mark of it, so an analysis reads without (``LogEvent/preauthMark`` stands
    /// for the message of such a line, an empty one for the rest): no string is made for a
    /// line's message, and an event held in the reorder window is some 100 bytes smaller.
    /// Structured records (NDJSON, JSON, CSV) keep theirs.
    public var keepsMessages = true
    /// How far a compressed file may expand (nil: without bound, the command line's own files).
    /// The REST API's uploads and the MCP server's files set it: a megabyte of gzip can hold
    /// gigabytes of empty lines.
    public var decompressionLimit: DecompressionLimit?

    /// Options with the machine's zone and the current date.
    public init(year: Int? = nil, timeZone: TimeZone = .current, referenceDate: Date = Date()) {
        self.year = year
        self.timeZone = timeZone
        self.referenceDate = referenceDate
    }
}

/// Converts local wall-clock times in one zone to UTC, caching the offset per local hour so a
/// file of millions of lines asks Foundation a few thousand times at most.
struct LocalTimeConverter {
    let zone: TimeZone
    let isUTC: Bool
    private var cache: [Int64: Int64] = [:]

    init(zone: TimeZone) {
        self.zone = zone
        self.isUTC = zone.secondsFromGMT() == 0 && (zone.identifier == "UTC" || zone.identifier == "GMT" || zone.nextDaylightSavingTimeTransition == nil)
    }

    /// UTC microseconds for local civil microseconds (as if the local time were UTC).
    mutating func utc(localMicros: Int64) -> Int64 {
        if isUTC { return localMicros }
        let localSeconds = localMicros >= 0 ? localMicros / 1_000_000 : (localMicros - 999_999) / 1_000_000
        let hourKey = localSeconds >= 0 ? localSeconds / 3600 : (localSeconds - 3599) / 3600
        let offset: Int64
        if let o = cache[hourKey] {
            offset = o
        } else {
            let guess = Double(localSeconds)
            let first = Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: guess)))
            let o = Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: guess - Double(first))))
            if cache.count > 100_000 { cache.removeAll(keepingCapacity: true) }
            cache[hourKey] = o
            offset = o
        }
        return localMicros - offset * 1_000_000
    }
}

/// Chooses the year for syslog timestamps that have none, line after line: it picks the first
/// line's year once, then moves to the next year when the month jumps back (December to
/// January), so a file that spans New Year does not travel back in time.
struct YearTracker {
    private var current: Int?
    private var lastMonth = 0
    private let fixed: Int?
    private let refYear: Int
    private let refMonth: Int
    private let refDay: Int

    init(fixed: Int?, reference: Date) {
        self.fixed = fixed
        let days = Int((reference.timeIntervalSince1970 / 86_400).rounded(.down))
        let (y, m, d) = CivilTime.civilFromDays(days)
        refYear = y; refMonth = m; refDay = d
    }

    mutating func year(month: Int, day: Int) -> Int {
        guard let cur = current else {
            var y = fixed ?? refYear
            if fixed == nil, month > refMonth || (month == refMonth && day > refDay + 1) { y -= 1 }
            current = y
            lastMonth = month
            return y
        }
        if lastMonth - month > 6 {
            // Wrapped past New Year.
            current = cur + 1
            lastMonth = month
            return cur + 1
        }
        if month - lastMonth > 6 {
            // A straggler from before New Year arriving after it: last year, state unchanged.
            return cur - 1
        }
        lastMonth = month
        return cur
    }
}

/// The most a compressed input may expand to: at most ``maxBytes`` in all, and past the first
/// ``freeBytes`` at most ``maxRatio`` times its compressed size (logs compress 5–50 times; a
/// file of one line repeated, a few hundred).
public struct DecompressionLimit: Sendable, Equatable {
    public var maxBytes: Int64
    public var maxRatio: Int64
    public var freeBytes: Int64 = 16 << 20

    public init(maxBytes: Int64, maxRatio: Int64) {
        self.maxBytes = maxBytes
        self.maxRatio = maxRatio
    }

    /// What the REST API and the MCP server allow: 1 GiB, and 500 times the compressed size.
    public static let requests = DecompressionLimit(maxBytes: 1 << 30, maxRatio: 500)

    /// Why `decompressed` bytes from `compressed` are too many, or nil when they are not.
    public func refusal(decompressed: Int64, compressed: Int64) -> String? {
        if decompressed > maxBytes {
            return "decompresses to more than \(maxBytes >> 20) MiB, the most this server reads of one file; the rest was not read"
        }
        if decompressed > freeBytes, decompressed > maxRatio * max(compressed, 1) {
            return "decompresses to over \(maxRatio) times its compressed size (\(decompressed >> 20) MiB from \(compressed >> 10) KiB), the most this server allows; the rest was not read"
        }
        return nil
    }
}
