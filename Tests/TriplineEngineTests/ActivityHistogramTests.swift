import Testing
import TriplineTestSupport
import TriplineCore
@testable import TriplineEngine

@Suite struct ActivityHistogramTests {
    static let day: Int64 = 86_400
    static let base: Int64 = 1_780_000_000 // 2026-05-28

    /// A small deterministic generator (tests must not depend on the system's).
    struct Mix { var x: UInt64; mutating func next(_ n: Int64) -> Int64 { x = x &* 6364136223846793005 &+ 1442695040888963407; return Int64((x >> 33) % UInt64(n)) } }

    @Test func everyZoomCountsWhatANaiveTallyCounts() {
        var h = ActivityHistogram()
        var events: [Int64] = []
        var incidents: [(Int64, Severity)] = []
        var mix = Mix(x: 7)
        // Ten days of events, a little out of order, and incidents among them.
        var t = Self.base
        for i in 0..<20_000 {
            t += mix.next(60)
            let e = t - mix.next(120)
            events.append(e)
            h.addEvent(at: Timestamp(microseconds: e * 1_000_000))
            if i % 97 == 0 {
                let sev = Severity.allCases[Int(mix.next(4))]
                incidents.append((e, sev))
                h.addIncident(start: Timestamp(microseconds: e * 1_000_000), severity: .low)
                h.moveIncident(start: Timestamp(microseconds: e * 1_000_000), from: .low, to: sev)
            }
        }
        h.settle()
        let end = h.lastEvent!
        for zoom in ActivityHistogram.Zoom.allCases {
            // Buckets within what the tier it reads keeps behind the latest event.
            let count = zoom < .hour ? min(400, 3 * 1_440 * 60 / Int(zoom.seconds) - 1) : (zoom < .day ? 60 : 20)
            let buckets = h.buckets(zoom, count: count, ending: end)
            #expect(buckets.count == count)
            for (i, b) in buckets.enumerated() where i > 0 {
                #expect(b.start - buckets[i - 1].start == zoom.seconds)
            }
            let from = buckets[0].start, to = buckets[count - 1].start + zoom.seconds
            for (i, b) in buckets.enumerated() {
                let inBucket = events.filter { $0 >= b.start && $0 < b.start + zoom.seconds }.count
                #expect(b.counts.events == inBucket, "\(zoom) bucket \(i)")
                for sev in Severity.allCases {
                    let n = incidents.filter { $0.0 >= b.start && $0.0 < b.start + zoom.seconds && $0.1 == sev }.count
                    #expect(b.counts[sev] == n, "\(zoom) bucket \(i) \(sev)")
                }
            }
            // The last bucket holds the latest event.
            #expect(end >= buckets[count - 1].start && end < to && from < to)
        }
    }

    @Test func theZoomFitsTheSpanOfTheLog() {
        var h = ActivityHistogram()
        #expect(h.fittingZoom(columns: 30) == .minute)
        h.addEvent(at: Timestamp(microseconds: Self.base * 1_000_000))
        h.addEvent(at: Timestamp(microseconds: (Self.base + 25 * 60) * 1_000_000))
        #expect(h.fittingZoom(columns: 30) == .minute) // 25 minutes in 30 columns
        h.addEvent(at: Timestamp(microseconds: (Self.base + 7 * Self.day) * 1_000_000))
        #expect(h.fittingZoom(columns: 30) == .sixHours) // a week: 28 buckets of six hours
        #expect(h.fittingZoom(columns: 200) == .hour)
    }

    /// Timestamps an attacker chose, scattered over fifty years and back and forth: the tables
    /// stay bounded, a line dated decades ahead does not push the real log's buckets out, and
    /// the cost is linear.
    @Test func hostileTimesStayBounded() {
        var h = ActivityHistogram()
        var mix = Mix(x: 11)
        for i in 0..<200_000 {
            let t = i % 2 == 0 ? Self.base + Int64(i) : Self.base + mix.next(50 * 365 * Self.day) - 25 * 365 * Self.day
            h.addEvent(at: Timestamp(microseconds: t * 1_000_000))
            if i % 3 == 0 { h.addIncident(start: Timestamp(microseconds: t * 1_000_000), severity: .high) }
        }
        h.addEvent(at: Timestamp(microseconds: (Self.base + 200_000) * 1_000_000))
        h.settle()
        let held = h.bucketsHeld
        #expect(held[0] <= 3 * 1_440 * 9 / 4 && held[1] <= 90 * 24 * 9 / 4 && held[2] <= 3_660 * 9 / 4, "\(held)")
        // The real log (the even lines, one a second) is all there at the minute zoom.
        let recent = h.buckets(.minute, count: 60, ending: Self.base + 200_000)
        #expect(recent.dropLast().allSatisfy { $0.counts.events >= 30 }, "\(recent.map(\.counts.events))")

        let g = Growth.ratio(n: 20_000) { n in
            var mix = Mix(x: UInt64(n))
            let times = (0..<n).map { _ in Self.base + mix.next(50 * 365 * Self.day) - 25 * 365 * Self.day }
            return {
                var h = ActivityHistogram()
                for t in times { h.addEvent(at: Timestamp(microseconds: t * 1_000_000)) }
                h.settle()
            }
        }
        #expect(g.ratio < 12, "8x the events cost \(g.ratio)x")
    }

    /// A store fed incidents only (serve: no events of its own), a year of them, one a minute:
    /// the tables stay bounded and the newest are kept.
    @Test func incidentsWithoutEventsStayBounded() {
        var h = ActivityHistogram()
        for m in 0..<Int64(365 * 1_440) {
            h.addIncident(start: Timestamp(microseconds: (Self.base + m * 60) * 1_000_000), severity: .medium)
        }
        let held = h.bucketsHeld
        #expect(held[0] <= 3 * 1_440 * 9 / 4 && held[1] <= 90 * 24 * 9 / 4 && held[2] <= 3_660 * 9 / 4, "\(held)")
        let last = h.buckets(.hour, count: 24, ending: Self.base + (365 * 1_440 - 1) * 60)
        #expect(last.dropLast().allSatisfy { $0.counts[.medium] == 60 } && last.last!.counts[.medium] > 0, "\(last.map { $0.counts[.medium] })")
    }
}
