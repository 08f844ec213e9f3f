import Foundation
import Testing
@testable import TriplineCore

/// Record timestamps in shapes other than ISO 8601 that logging tools write.
@Suite struct LooseTimestampTests {
    func read(_ text: String, zone: String = "UTC") -> Timestamp? {
        let line = #"{"timestamp": "\#(text)", "user": "a", "source_ip": "192.0.2.1", "event_type": "login", "action": "failed"}"#
        let results = LogReader(options: ParseOptions(timeZone: TimeZone(identifier: zone)!), format: .ndjson)
        var out: [LogEvent] = []
        _ = results.read(bytes: Array(line.utf8), name: "t.ndjson") { out.append($0) }
        return out.first?.timestamp
    }

    @Test func otherShapesOfTheSameMoment() throws {
        let expected = try #require(Timestamp(iso8601: "2024-01-15T10:30:00Z"))
        for text in ["2024/01/15 10:30:00", "2024/01/15T10:30:00Z", "15/Jan/2024:10:30:00 +0000", "15/Jan/2024:11:30:00 +0100",
                     "Mon, 15 Jan 2024 10:30:00 GMT", "Mon, 15 Jan 2024 05:30:00 -0500", "Jan 15 2024 10:30:00",
                     "Mon Jan 15 10:30:00 2024", "15 January 2024 10:30:00 UTC", "Mon Jan 15 12:30:00 +02:00 2024"] {
            #expect(read(text) == expected, "\(text) → \(read(text).map(\.iso8601) ?? "nil")")
        }
        #expect(read("Jan 15 2024 11:30:00", zone: "Europe/Berlin") == expected, "no zone: --timezone applies")
        #expect(read("2024/01/15 10:30:00.250")?.microseconds == expected.microseconds + 250_000)
    }

    @Test func ambiguousOrBrokenTimesAreRefused() {
        for text in ["01/02/2024 10:30:00", "Jan 2024 10:30:00", "Feb 30 2024 10:30:00", "Jan 15 2024 25:30:00", "tomorrow at noon",
                     "Jan 15 2024 10:30:00 +2500", "Jan Feb 15 2024 10:30:00"] {
            #expect(read(text) == nil, "\(text)")
        }
    }
}
