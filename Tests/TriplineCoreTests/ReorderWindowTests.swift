import Foundation
import Testing
import TriplineTestSupport
@testable import TriplineCore

/// Slightly out-of-order streams (several hosts, clocks apart, a relay's buffering) analysed as
/// if in order; later events counted, never dropped; cost linear whatever the order.
@Suite struct ReorderWindowTests {
    static func event(_ seconds: Int64, _ n: Int) -> LogEvent {
        LogEvent(timestamp: Timestamp(microseconds: JournalBase.t0 + seconds * 1_000_000), host: "h", program: "sshd", pid: n,
                 message: "m\(n)", file: "f", line: n)
    }
    enum JournalBase { static let t0: Int64 = 1_772_409_600_000_000 }

    static func run(_ events: [LogEvent], seconds: Int = 300) -> ([Int], Int) {
        var w = ReorderWindow(seconds: seconds)
        var out: [Int] = []
        for e in events { w.push(e) { out.append($0.line) } }
        w.flush { out.append($0.line) }
        return (out, w.late)
    }

    @Test func inOrderComesOutUnchangedTiesIncluded() {
        let events = (0..<1000).map { Self.event(Int64($0 / 3), $0) }
        let (out, late) = Self.run(events)
        #expect(out == Array(0..<1000))
        #expect(late == 0)
    }

    @Test func aLittleOutOfOrderIsPutInPlace() {
        // Two hosts in one stream, one 40 s behind the other; some far back in the window.
        var events: [LogEvent] = []
        for i in 0..<500 {
            events.append(Self.event(Int64(i * 2), i * 2))
            events.append(Self.event(Int64(i * 2 + 1 - 40), i * 2 + 1))
        }
        events.append(Self.event(990 - 250, 5000))
        let (out, late) = Self.run(events)
        let times = out.map { n in events.first { $0.line == n }!.timestamp }
        #expect(out.count == events.count)
        #expect(zip(times, times.dropFirst()).allSatisfy { $0 <= $1 })
        #expect(late == 0)
    }

    /// Time running backwards by days (a second file written after the first): late, counted,
    /// and read in the order written, what was held first.
    @Test func aJumpBackIsLateAndKeepsTheOrderWritten() {
        let events = (0..<10).map { Self.event(Int64(86_400 + $0), $0) } + (10..<20).map { Self.event(Int64($0), $0) }
        let (out, late) = Self.run(events)
        #expect(out == Array(0..<20))
        #expect(late == 1)
    }

    @Test func aWindowOfZeroKeepsTheOrderRead() {
        let events = [Self.event(5, 0), Self.event(1, 1), Self.event(3, 2)]
        #expect(Self.run(events, seconds: 0).0 == [0, 1, 2])
        #expect(Self.run(events).0 == [1, 2, 0])
    }

    /// The worst order for a sorted buffer: every event a little older than the one before.
    /// Cost stays linear, and what is held stays bounded.
    @Test func reversedTimeCostsLinear() {
        let r = Growth.ratio(n: 4_000) { n in
            let events = (0..<n).map { Self.event(0, $0) }.enumerated().map { i, e in
                var e = e
                e.timestamp = Timestamp(microseconds: JournalBase.t0 + 250_000_000 - Int64(i % 200_000) * 1_000)
                return e
            }
            return {
                var w = ReorderWindow(maxHeld: 1_000)
                var count = 0
                for e in events { w.push(e) { _ in count += 1 }; precondition(w.count <= w.maxHeld) }
                w.flush { _ in count += 1 }
                precondition(count == n)
            }
        }
        #expect(r.ratio < 12, "8x the events took \(r.ratio)x the time")
    }

    /// A success logged before the failures it followed (another host's relay was slower):
    /// put back in order, it is the success after failures it is.
    @Test func aSuccessLoggedBeforeItsFailuresIsFound() throws {
        var lines = ["2026-03-02T10:01:00Z bastion sshd[900]: Accepted password for carol from 203.0.113.50 port 5000 ssh2\n"]
        for i in 0..<12 {
            lines.append("2026-03-02T10:00:\(String(format: "%02d", i * 3))Z relay sshd[\(800 + i)]: Failed password for carol from 203.0.113.50 port \(4000 + i) ssh2\n")
        }
        let path = try temporaryFile(lines.joined(), name: "stream.log")
        func kinds(_ seconds: Int) -> [AnomalyKind] {
            var o = ParseOptions(timeZone: TimeZone(identifier: "UTC")!)
            o.reorderSeconds = seconds
            return Analysis.run(paths: [path], reader: LogReader(options: o), model: nil).anomalies.map(\.kind)
        }
        #expect(kinds(300).contains(.successAfterFailures))
        #expect(!kinds(0).contains(.successAfterFailures), "in the order read, the success came first")
    }
}
