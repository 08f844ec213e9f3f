import Testing
@testable import TriplineCore

@Suite struct AnomalySpoolTests {
    static func anomaly(_ id: String, start: Int64, score: Double, reason: String = "ten failed passwords") -> Anomaly {
        Anomaly(id: id, kind: .bruteForce, start: Timestamp(microseconds: start), lastSeen: Timestamp(microseconds: start + 60_000_000),
                user: "root", sourceIP: "203.0.113.7", host: "web1", score: score, reasons: [reason, "\u{1B}[31m\"quoted\"\u{1B}[0m"],
                eventCount: 10, evidence: [], details: ["failures": .int(10), "users": .array([.string("root"), .string("admin")])])
    }

    static func json(_ a: Anomaly) -> [UInt8] {
        var w = JSONWriter()
        a.writeJSON(to: &w)
        return w.bytes
    }

    static func inTimeOrder(_ spool: AnomalySpool) -> [AnomalySpool.Entry] {
        var out: [AnomalySpool.Entry] = []
        spool.forEachInTimeOrder { out.append($0) }
        return out
    }

    static func byScore(_ spool: AnomalySpool) -> [AnomalySpool.Entry] {
        var out: [AnomalySpool.Entry] = []
        spool.forEachByScore { out.append($0) }
        return out
    }

    @Test(arguments: [true, false]) func readsBackExactlyInReportOrder(onDisk: Bool) {
        let spool = onDisk ? AnomalySpool() : AnomalySpool(directory: "/nonexistent-folder-for-tripline-tests")
        #expect(spool.isOnDisk == onDisk)
        // Closed out of start order, two with the same start (ordered by id as text), one id not
        // in Tripline's form.
        let list = [
            Self.anomaly("TL-00000000000000ff", start: 3_000_000, score: 90),
            Self.anomaly("TL-0000000000000010", start: 1_000_000, score: 40),
            Self.anomaly("other-id", start: 2_000_000, score: 75),
            Self.anomaly("TL-000000000000000a", start: 3_000_000, score: 55, reason: String(repeating: "x", count: 100_000)),
        ]
        for a in list { spool.append(a) }
        #expect(spool.count == 4)
        #expect(spool.bySeverity == list.reduce(into: [Severity: Int]()) { $0[$1.severity, default: 0] += 1 })
        let ordered = Self.inTimeOrder(spool)
        let expected = list.sorted { ($0.start, $0.id) < ($1.start, $1.id) }
        #expect(ordered.map { spool.json($0) } == expected.map(Self.json))
        #expect(ordered.compactMap { spool.anomaly($0)?.id } == expected.map(\.id))
    }

    /// Over many runs of entries on file (runs of 64 here, merged 16 at a time into two
    /// levels), then more after a first reading (a live analysis's report may be asked for
    /// before the end); on disk and in memory alike.
    @Test(arguments: [true, false]) func manyAnomaliesPassTheWriteBufferAndTheRuns(onDisk: Bool) {
        let spool = AnomalySpool(directory: onDisk ? nil : "/nonexistent-folder-for-tripline-tests", runLength: 64)
        var list: [Anomaly] = []
        let n = 64 * 16 * 3 + 500
        for i in 0..<n {
            // Ids and starts out of order, with many equal starts and scores.
            let a = Self.anomaly(Anomaly.idText(UInt64(i * 7919 % 10_007)), start: Int64((i * 37) % 500) * 1_000_000, score: Double(i % 100))
            list.append(a)
            let e = spool.append(a)
            // Reading while writing (the last one is still in the write buffer).
            if i % 977 == 0 { #expect(spool.json(e) == Self.json(a)) }
        }
        var expected = list.sorted { ($0.start, $0.id) < ($1.start, $1.id) }
        #expect(spool.count == n)
        // 55 runs of 64 were written (52 entries are still in memory): three merged runs of
        // 1,024 and seven of 64 wait.
        #expect(spool.runsWaiting == 3 + 7)
        #expect(Self.inTimeOrder(spool).map { spool.json($0) } == expected.map(Self.json))
        for i in 0..<300 {
            let a = Self.anomaly(Anomaly.idText(UInt64(20_000 + i)), start: Int64((i * 53) % 600) * 1_000_000, score: 50)
            list.append(a); spool.append(a)
        }
        expected = list.sorted { ($0.start, $0.id) < ($1.start, $1.id) }
        #expect(spool.count == n + 300)
        #expect(spool.bySeverity == list.reduce(into: [Severity: Int]()) { $0[$1.severity, default: 0] += 1 })
        #expect(Self.inTimeOrder(spool).map { spool.json($0) } == expected.map(Self.json))
        #expect(Self.inTimeOrder(spool).map { spool.json($0) } == expected.map(Self.json))
        // The table's order: highest score first, equal scores in report order.
        let ranked = expected.enumerated().sorted { a, b in
            a.element.score != b.element.score ? a.element.score > b.element.score : a.offset < b.offset
        }.map(\.element)
        #expect(Self.byScore(spool).map { spool.json($0) } == ranked.map(Self.json))
    }

    struct Pair: BitwiseCopyable, Equatable { var key: Int64; var tag: Int64 }
    struct ByKey: SpillOrder {
        func less(_ a: Pair, _ b: Pair) -> Bool { a.key != b.key ? a.key < b.key : a.tag < b.tag }
    }

    /// However many values, the runs waiting stay at most `fanIn - 1` per level (so memory for
    /// reading them back is a few buffers), and every value comes back once, in order.
    @Test func sortedRunsKeepFewRunsAndLoseNothing() {
        let file = SpillFile()
        var runs = SortedRuns(file: file, order: ByKey(), runLength: 16, fanIn: 4)
        var all: [Pair] = []
        var most = 0
        var x: UInt64 = 0x9E37_79B9_7F4A_7C15
        for i in 0..<20_000 {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17
            let p = Pair(key: Int64(x % 1_000), tag: Int64(i))
            all.append(p); runs.append(p)
            most = max(most, runs.runsWaiting)
        }
        // 1,250 runs of 16, merged 4 at a time: levels up to 5 (16 · 4^5 > 20,000), each with
        // at most 3 runs waiting.
        #expect(most <= 3 * 6)
        var back: [Pair] = []
        runs.forEach { back.append($0) }
        #expect(back == all.sorted { ByKey().less($0, $1) })
        #expect(runs.count == 20_000)
    }
}
