import Foundation
import Testing
@testable import TriplineCore

/// A line that repeats the timestamp of the line before is not read again: the parser keeps the
/// last one (`TimestampMemo`). What it gives must be what reading gives, whatever came before:
/// years chosen across New Year, stragglers from the old year, dates that do not exist, local
/// time in a zone with summer time, fractions, ISO offsets.
@Suite struct TimestampMemoTests {
    static let stamps = [
        "Dec 31 23:59:59", "Jan  1 00:00:00", "Jan  1 00:00:00.5", "Jan  1 00:00:00,250", "Feb 30 12:00:00",
        "Feb 29 12:00:00", "Mar 29 02:30:00", "Jun 15 10:10:10", "Dec 31 2024 23:59:59", "jan  1 00:00:00",
        "Mar  3 25:00:00", "Jan  1 00:00:0", "2026-01-01T00:00:00Z", "2026-01-01T00:00:00.123456+01:00",
        "2026-01-01T00:00:00.123456-07:00", "2026-01-01 00:00:00", "2026-03-29 02:30:00", "2026-13-01T00:00:00Z",
        "<38>Jan  1 00:00:00", "<38>1 2026-01-01T00:00:00Z host sshd 1 - -",
    ]

    /// The same lines read twice: as they are, and with a line between each two that has no
    /// timestamp (which makes the parser forget the last one, so that every timestamp is read
    /// from its bytes). The events are the same, and so are the lines skipped and why.
    @Test(arguments: ["UTC", "Europe/Berlin", "America/New_York"])
    func aRepeatedTimestampGivesWhatReadingItGives(zone: String) {
        var rng = SplitMix64(seed: 41)
        var lines = [String]()
        var stamp = Self.stamps[0]
        for i in 0..<8000 {
            // Runs of the same timestamp, as in a log: a new one on about one line in three.
            if rng.next() % 3 == 0 { stamp = Self.stamps[Int(rng.next() % UInt64(Self.stamps.count))] }
            var line = "\(stamp) host sshd[\(i % 7)]: Failed password for root from 10.0.0.\(i % 5) port 22 ssh2"
            // One line in four cut short, some inside their timestamp or just after it: the words
            // the memo compares reach past the end of such a line, and must not be read there.
            if rng.next() % 4 == 0 { line = String(line.prefix(Int(rng.next() % 48))) }
            lines.append(line)
        }
        let reference = Date(timeIntervalSince1970: 1_790_000_000)  // 2026-09: "Dec 31" is last year's
        for year in [nil, 2025] as [Int?] {
            let repeated = syslogEvents(lines.joined(separator: "\n"), year: year, zone: zone, reference: reference)
            let apart = syslogEvents(lines.joined(separator: "\nx\n"), year: year, zone: zone, reference: reference)
            #expect(apart.count == 2 * repeated.count - 1)
            var events = 0
            for (k, got) in repeated.enumerated() {
                switch (got, apart[2 * k]) {
                case let (.event(a), .event(b)):
                    events += 1
                    #expect(a.timestamp == b.timestamp, "line \(k + 1): \(lines[k])")
                    #expect(a.sourceIP == b.sourceIP && a.user == b.user && a.pid == b.pid)
                case let (.skipped(a, _), .skipped(b, _)):
                    #expect(a == b, "line \(k + 1): \(lines[k])")
                default:
                    Issue.record("line \(k + 1) read as \(got), apart as \(apart[2 * k]): \(lines[k])")
                }
            }
            #expect(events > 3000)
        }
    }

    /// A timestamp that looks the same in its first bytes but differs after them is read again:
    /// the fraction, the offset and the byte after the seconds count.
    @Test func aTimestampDifferingLateIsReadAgain() throws {
        let text = [
            "2026-01-01T00:00:00.123456+01:00 h sshd[1]: x",
            "2026-01-01T00:00:00.123456+02:00 h sshd[1]: x",
            "2026-01-01T00:00:00.123457+02:00 h sshd[1]: x",
            "Jan  1 00:00:00 h sshd[1]: x",
            "Jan  1 00:00:00.5 h sshd[1]: x",
            "Jan  1 00:00:01 h sshd[1]: x",
        ].joined(separator: "\n")
        let stamps = syslogEvents(text).map { r -> String in
            if case .event(let e) = r { return e.timestamp.iso8601 }
            return "skipped"
        }
        #expect(stamps == [
            "2025-12-31T23:00:00.123456Z", "2025-12-31T22:00:00.123456Z", "2025-12-31T22:00:00.123457Z",
            "2026-01-01T00:00:00Z", "2026-01-01T00:00:00.500Z", "2026-01-01T00:00:01Z",
        ])
    }
}
