import Foundation
import Testing
@testable import TriplineEngine
import TriplineCore

/// One store behind the dashboard's feed and the API's list: bounded, the newest kept, totals
/// apart from what is kept.
@Suite struct AnomalyStoreTests {
    static func anomaly(_ i: Int, score: Double = 50, kind: AnomalyKind = .bruteForce) -> Anomaly {
        let t = Timestamp(microseconds: 1_768_039_200_000_000 + Int64(i) * 1_000_000)
        return Anomaly(id: "TL-\(i)", kind: kind, start: t, lastSeen: t, user: "u\(i)", sourceIP: "203.0.113.\(i % 250)", host: "h",
                       score: score, reasons: [], eventCount: 1, evidence: [], details: [:])
    }

    @Test func keepsTheNewestAndCountsEverything() {
        var store = AnomalyStore(capacity: 100)
        // Arriving out of order: the newest by start stay, whatever the order of arrival.
        let ids = (0..<1000).map { ($0 * 37) % 1000 }
        for i in ids { store.insert([Self.anomaly(i)]) }
        #expect(store.count <= 110)
        #expect(store.totals.incidents == 1000)
        #expect(store.isTruncated)
        let kept = store.newestFirst.map(\.id)
        #expect(Array(kept.prefix(100)) == (900..<1000).reversed().map { "TL-\($0)" })
        #expect(store.matching(AnomalyFilter(limit: 3)).map(\.id) == ["TL-999", "TL-998", "TL-997"])
    }

    /// A live feed: an incident is reported when it opens and again when it closes; if more than
    /// the capacity of newer incidents started in between, it was let go meanwhile, and still
    /// counts once (the dashboard once said 114k for 60k brute forces).
    @Test func anIncidentLetGoWhileOpenIsNotCountedTwice() {
        var store = AnomalyStore(capacity: 50)
        for i in 0..<5000 {
            store.insert([Self.anomaly(i, score: 20)])
            if i >= 200 { store.insert([Self.anomaly(i - 200, score: 95)]) } // the close, 200 later
        }
        #expect(store.totals.incidents == 5000)
        #expect(store.totals.bySeverity.values.reduce(0, +) == 5000)
        #expect(store.totals.bySeverity[Severity(score: 95)] == 4800 && store.totals.bySeverity[Severity(score: 20)] == 200)
        #expect(store.count <= 55)
    }

    @Test func aGrowingIncidentIsCountedOnceUnderItsLatestSeverity() {
        var store = AnomalyStore(capacity: 10)
        store.insert([Self.anomaly(1, score: 30)])
        store.insert([Self.anomaly(1, score: 95)])
        #expect(store.totals.incidents == 1)
        #expect(store.totals.bySeverity[Severity(score: 95)] == 1)
        #expect(store.totals.bySeverity[Severity(score: 30), default: 0] == 0)
        #expect(store["TL-1"]?.score == 95)
    }

    /// A central server's anomalies, selected by the host that logged them.
    @Test func selectsByHostIgnoringCase() throws {
        var store = AnomalyStore(capacity: 100)
        var a = Self.anomaly(1); a.host = "web-01"
        var b = Self.anomaly(2); b.host = "DB-01"
        store.insert([a, b, Self.anomaly(3)])
        let f = try AnomalyFilter.parse(severity: nil, kind: nil, user: nil, sourceIP: nil, host: "db-01", since: nil, until: nil, limit: nil)
        #expect(store.matching(f).map(\.id) == ["TL-2"])
        #expect(store.matching(AnomalyFilter(host: "WEB-01")).map(\.id) == ["TL-1"])
        #expect(store.matching(AnomalyFilter(host: "mail")).isEmpty)
    }
}

/// A live detector's reports say which is an incident's first: the count needs no memory of
/// the ids it let go (an incident that closed hours later, after tens of thousands of others,
/// was counted twice: the dashboard showed 121,200 for 120,000 brute forces).
@Suite struct AnomalyReportTests {
    @Test func anUpdateLongAfterTheFirstReportIsNotCountedAgain() {
        var store = AnomalyStore(capacity: 10)
        let first = AnomalyStoreTests.anomaly(0, score: 40)
        store.insert(reports: [AnomalyReport(anomaly: first, isNew: true)])
        for i in 1...(store.forgetAfter + 500) {
            store.insert(reports: [AnomalyReport(anomaly: AnomalyStoreTests.anomaly(i), isNew: true)])
        }
        var grown = first
        grown.score = 95
        store.insert(reports: [AnomalyReport(anomaly: grown, isNew: false)])
        #expect(store.totals.incidents == store.forgetAfter + 501)
        #expect(store.count <= 11, "the newest kept, let go in batches")
        // The same through ids alone counts it twice: why the live engine passes reports.
        var byIDs = AnomalyStore(capacity: 10)
        byIDs.insert([first])
        for i in 1...(byIDs.forgetAfter + 500) { byIDs.insert([AnomalyStoreTests.anomaly(i)]) }
        byIDs.insert([grown])
        #expect(byIDs.totals.incidents == byIDs.forgetAfter + 502)
    }

    @Test func aDetectorMarksEachIncidentsFirstReport() {
        var d = Detector(model: nil)
        d.keepsClosedIncidents = false
        d.reportsChanges = true
        var firsts: [String: Int] = [:], reports = 0
        for i in 0..<40 {
            let t = Timestamp(microseconds: 1_768_039_200_000_000 + Int64(i) * 20_000_000)
            d.process(LogEvent(timestamp: t, host: "web", program: "sshd", pid: i, user: "root", sourceIP: "203.0.113.\(i / 10)", eventType: .login,
                               outcome: .failure, action: "failed", authMethod: "password", invalidUser: false, message: "x", file: "f", line: i + 1))
            for r in d.drainReports() {
                reports += 1
                if r.isNew { firsts[r.anomaly.id, default: 0] += 1 }
            }
        }
        _ = d.finish()
        #expect(reports > firsts.count, "incidents are reported more than once as they grow")
        #expect(firsts.count == 4 && firsts.values.allSatisfy { $0 == 1 })
    }
}

/// Top offenders counted over every incident, in bounded memory.
@Suite struct OffenderTallyTests {
    @Test func countsEveryIncidentAndRanksByWorstThenCount() {
        var t = OffenderTally(capacity: 100)
        for _ in 0..<5 { t.add("198.51.100.1", severity: .medium) }
        t.add("198.51.100.2", severity: .low)
        t.raise("198.51.100.2", to: .critical)
        for _ in 0..<3 { t.add("198.51.100.3", severity: .medium) }
        let top = t.top(3)
        #expect(top.map(\.name) == ["198.51.100.2", "198.51.100.1", "198.51.100.3"])
        #expect(top.map(\.count) == [1, 5, 3])
    }

    /// A flood of one-off names: the table stays bounded and the offenders that matter stay.
    @Test func aFloodOfNamesKeepsTheOnesThatMatter() {
        var t = OffenderTally(capacity: 1000)
        t.add("critical-one", severity: .critical)
        for i in 0..<50_000 {
            t.add("n\(i)", severity: .low)
            if i % 100 == 0 { t.add("busy", severity: .medium) }
            #expect(t.count <= 1000)
        }
        let top = t.top(2)
        #expect(top.map(\.name) == ["critical-one", "busy"])
        #expect(top.last?.count == 500)
    }

    @Test func theStoreCountsOffendersOverWhatItLetGo() {
        var store = AnomalyStore(capacity: 10)
        for i in 0..<100 {
            var a = AnomalyStoreTests.anomaly(i)
            a.sourceIP = i % 2 == 0 ? "203.0.113.7" : "198.51.100.\(i)"
            store.insert([a])
        }
        #expect(store.count <= 11, "the newest kept, let go in batches")
        let worst = AnomalyStoreTests.anomaly(0).severity
        #expect(store.sources.top(1).first == .init(name: "203.0.113.7", count: 50, worst: worst))
    }
}

@Suite struct CompactionTests {
    /// Compacting changes nothing a client sees: the same anomalies, field for field.
    @Test func compactingKeepsEveryAnomalyAsItWas() {
        var store = AnomalyStore(capacity: 50)
        var list: [Anomaly] = []
        for i in 0..<40 {
            var a = AnomalyStoreTests.anomaly(i, score: Double(20 + i))
            a.reasons = ["a reason long enough to live on the heap, number \(i)"]
            a.evidence = [EvidenceLocation(file: "/var/log/remote/host-\(i)/auth.log", line: i + 1)]
            a.details = ["failures": .int(Int64(i)), "users": .array([.string("an-account-name-longer-than-15-\(i)")]),
                         "nested": .object(["k": .double(0.5), "s": .string("a string longer than fifteen bytes")])]
            list.append(a)
        }
        store.insert(list)
        let before = store.newestFirst
        store.compact()
        #expect(store.newestFirst == before)
        #expect(store.totals == AnomalyStore(capacity: 50).inserting(list).totals)
    }
}

extension AnomalyStore {
    func inserting(_ list: [Anomaly]) -> AnomalyStore {
        var s = self
        s.insert(list)
        return s
    }

}

/// Packed anomalies (what serve keeps) read back exactly.
@Suite struct KeptAnomalyTests {
    /// What the store keeps packed reads back as the anomaly it was given, field for field:
    /// every kind of detail value, evidence from several files and without a line, odd strings.
    @Test func keptAnomaliesReadBackExactly() throws {
        var a = AnomalyStoreTests.anomaly(7, score: 91.25, kind: .successAfterFailures)
        a.user = nil
        a.host = "web\u{1B}[31m-01 ✓"
        a.reasons = ["first reason", "", "ünïcödé and \"quotes\"\n"]
        a.evidence = [EvidenceLocation(file: "/var/log/auth.log", line: 3), EvidenceLocation(file: "/var/log/auth.log", line: 9),
                      EvidenceLocation(file: "body", line: nil), EvidenceLocation(file: "/var/log/auth.log", line: 12)]
        a.evidenceTruncated = true
        a.eventCount = 1234
        a.details = ["i": .int(-5), "d": .double(5.0), "tiny": .double(1e-300), "s": .string("x"), "b": .bool(true), "n": .null,
                     "list": .array([.string("a"), .int(1), .array([]), .object(["k": .double(-0.5)])]), "empty": .object([:])]
        var slabs = PackedSlabs()
        #expect(KeptAnomaly(a, into: &slabs).anomaly(in: slabs) == a)
        var store = AnomalyStore(capacity: 5)
        store.insert([a])
        #expect(store[a.id] == a)
        store.compact()
        #expect(store.newestFirst == [a])

        // The detector's own anomalies, as serve keeps them.
        var text = ""
        for i in 0..<40 { text += "2026-03-02T10:00:\(String(format: "%02d", i))+00:00 web sshd[\(100 + i)]: Failed password for root from 203.0.113.9 port \(4000 + i) ssh2\n" }
        let found = Analysis.run(bytes: Array(text.utf8), name: "body", reader: LogReader(options: ParseOptions(timeZone: TimeZone(identifier: "UTC")!)), model: nil)
        #expect(!found.anomalies.isEmpty)
        for x in found.anomalies { #expect(KeptAnomaly(x, into: &slabs).anomaly(in: slabs) == x) }
    }

    /// Anomalies that start together are listed by id as text, whether the id is Tripline's own
    /// (kept as a number) or another's.
    @Test func sameStartIsOrderedByIdAsText() {
        var store = AnomalyStore(capacity: 10)
        let ids = ["TL-00000000000000ff", "TL-0000000000000100", "TL-a000000000000000", "TL-9fffffffffffffff", "TL-7", "zz-other"]
        store.insert(ids.map { id in
            var a = AnomalyStoreTests.anomaly(1)
            a.id = id
            return a
        })
        #expect(store.newestFirst.map(\.id) == ids.sorted(by: >))
    }

    /// Slabs whose records were mostly let go are copied over, and what is kept reads back the
    /// same afterwards.
    @Test func packedBytesSurviveEvictionAndCompaction() {
        var store = AnomalyStore(capacity: 100)
        var all: [Anomaly] = []
        for i in 0..<3000 {
            var a = AnomalyStoreTests.anomaly(i)
            a.reasons = [String(repeating: "r\(i % 10)", count: 500)]
            a.evidence = [EvidenceLocation(file: "f\(i)", line: i)]
            all.append(a)
            store.insert([a])
        }
        let kept = store.newestFirst
        #expect(kept.count >= 100)
        #expect(Array(kept.prefix(100)) == Array(all.suffix(100).reversed()))
        store.compact()
        #expect(store.newestFirst == kept)
    }
}

/// The drill-down's timeline spans the entity's own activity, however long ago it was.
@Suite struct EntityTimelineTests {
    @Test func spansFirstToLastSeenWithIncidentsMarked() {
        let t0 = Timestamp(microseconds: 1_768_039_200_000_000)
        func at(_ minutes: Int64) -> Timestamp { Timestamp(microseconds: t0.microseconds + minutes * 60_000_000) }
        // Active two days before anything else happened on the server: still a full timeline.
        let events = [at(0), at(1), at(1), at(2880)]
        var a = AnomalyStoreTests.anomaly(1, score: 90)
        a.start = at(1); a.lastSeen = at(30)
        let tl = EntityTimeline(events: events, incidents: [a], buckets: 48)
        #expect(tl.from == at(0))
        #expect(tl.to >= at(2880))
        #expect(tl.counts.reduce(0, +) == 4)
        #expect(tl.counts.count <= 48 && tl.counts.count >= 47)
        #expect(tl.worst.first == .critical, "the incident is marked where it was")
        #expect(tl.worst[tl.worst.count - 1] == nil)
        // One event: a one-minute bucket; nothing: empty.
        #expect(EntityTimeline(events: [t0], incidents: []).counts == [1])
        #expect(EntityTimeline(events: [], incidents: []) == .empty)
    }
}
