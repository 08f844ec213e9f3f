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
        let ordered = spool.inTimeOrder()
        let expected = list.sorted { ($0.start, $0.id) < ($1.start, $1.id) }
        #expect(ordered.map { spool.json($0) } == expected.map(Self.json))
        #expect(ordered.compactMap { spool.anomaly($0)?.id } == expected.map(\.id))
    }

    @Test func manyAnomaliesPassTheWriteBufferAndTheChunks() {
        let spool = AnomalySpool()
        var list: [Anomaly] = []
        // Over two chunks of entries, then more after the first ordering (which a report of a
        // live analysis may ask for before the end).
        let n = AnomalySpool.chunkSize * 2 + 500
        for i in 0..<n {
            let a = Self.anomaly(Anomaly.idText(UInt64(i * 7919 % 10_007)), start: Int64((i * 37) % 500) * 1_000_000, score: Double(i % 100))
            list.append(a); spool.append(a)
            // Reading while writing (the last one is still in the buffer).
            if i % 977 == 0 { #expect(spool.json(spool.entry(at: i)) == Self.json(a)) }
        }
        var expected = list.sorted { ($0.start, $0.id) < ($1.start, $1.id) }
        #expect(spool.count == n)
        #expect(spool.inTimeOrder().map { spool.json($0) } == expected.map(Self.json))
        for i in 0..<300 {
            let a = Self.anomaly(Anomaly.idText(UInt64(20_000 + i)), start: Int64((i * 53) % 600) * 1_000_000, score: 50)
            list.append(a); spool.append(a)
        }
        expected = list.sorted { ($0.start, $0.id) < ($1.start, $1.id) }
        #expect(spool.count == n + 300)
        #expect(spool.bySeverity == list.reduce(into: [Severity: Int]()) { $0[$1.severity, default: 0] += 1 })
        #expect(spool.inTimeOrder().map { spool.json($0) } == expected.map(Self.json))
        #expect(spool.inTimeOrder().map { spool.json($0) } == expected.map(Self.json))
    }
}
