import Testing
@testable import TriplineCore

/// An attacker who controls timestamps (their own `logger` lines, a forwarded message a relay
/// keeps the sender's time of) must not hide a brute force or split it into many incidents; a
/// log that really jumps in time (read again, a second file, a quiet night) still does.
@Suite struct TimeJumpTests {
    static let base: Int64 = 1_768_039_200_000_000

    static func line(_ second: Int64, _ message: String, program: String = "sshd", host: String = "web", pid: Int = 1000) -> String {
        let t = Timestamp(microseconds: base + second * 1_000_000)
        return "\(t.iso8601) \(host) \(program)[\(pid)]: \(message)\n"
    }

    static func anomalies(_ text: String) -> [Anomaly] {
        var d = Detector(model: nil)
        _ = LogReader().read(bytes: Array(text.utf8), name: "a.log") { d.process($0) }
        return d.finish()
    }

    static func failure(_ i: Int, at second: Int64, from ip: String = "198.51.100.66") -> String {
        line(second, "Failed password for root from \(ip) port \(2000 + i) ssh2", pid: 2000 + i)
    }

    /// Forty failures, each followed by a line from the same address dated two hours or a year
    /// earlier: one brute force, as without those lines.
    @Test(arguments: [Int64(-7200), Int64(-365 * 86_400), Int64(7200), Int64(365 * 86_400)] as [Int64])
    func aStrayLineAfterEachFailureHidesNothing(offset: Int64) {
        var text = ""
        for i in 0..<40 {
            let t = 100_000 + Int64(i) * 3
            text += Self.failure(i, at: t)
            text += Self.line(t + offset, "Connection closed by 198.51.100.66 port \(3000 + i) [preauth]", pid: 3000 + i)
        }
        let attack = Self.anomalies(text).filter { $0.sourceIP == "198.51.100.66" }
        #expect(attack.count == 1, "\(attack.map { "\($0.kind) \($0.eventCount)" })")
        #expect(attack.first?.kind == .bruteForce)
        #expect((attack.first?.eventCount ?? 0) >= 40)
    }

    /// The stray lines are failures from the attacking address themselves: still one incident,
    /// and every failure counted.
    @Test(arguments: [Int64(-7200), Int64(7200)] as [Int64])
    func strayFailuresFromTheSameAddressCount(offset: Int64) {
        var text = ""
        for i in 0..<40 {
            let t = 100_000 + Int64(i) * 3
            text += Self.failure(i, at: t)
            text += Self.failure(100 + i, at: t + offset)
        }
        let attack = Self.anomalies(text).filter { $0.sourceIP == "198.51.100.66" }
        #expect(attack.count == 1, "\(attack.map { "\($0.kind) \($0.eventCount)" })")
        // Each stray is counted in the attack; the last, with no line after it to contradict
        // it, keeps its own time, two hours from the attack, when it is ahead.
        #expect((attack.first?.eventCount ?? 0) >= (offset > 0 ? 79 : 80))
    }

    /// Failures interleaved with another program's lines dated two hours later (or earlier):
    /// one incident, at 12 failures and at 2,000.
    @Test(arguments: [12, 2000])
    func anotherProgramsLinesDoNotChainIncidents(failures: Int) {
        for offset: Int64 in [7200, -7200] {
            var text = ""
            for i in 0..<failures {
                let t = 100_000 + Int64(i) * 2
                text += Self.failure(i, at: t)
                text += Self.line(t + offset, "pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)", program: "CRON", pid: 5000 + i)
            }
            let attack = Self.anomalies(text).filter { $0.sourceIP == "198.51.100.66" }
            #expect(attack.count == 1, "offset \(offset): \(attack.count) incidents")
        }
    }

    /// Two lines two hours ahead after every failure move the host's clock (time moves
    /// forward); the real failures, then behind it, are displaced to it and counted together:
    /// the attack is found with every failure, in at most two incidents.
    @Test func twoLinesAheadAfterEachFailureMoveTheClockNotTheAttack() {
        var text = ""
        for i in 0..<40 {
            let t = 100_000 + Int64(i) * 3
            text += Self.failure(i, at: t)
            for k in 0..<2 {
                text += Self.line(t + 7200 + Int64(k), "pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)", program: "CRON", pid: 5000 + 2 * i + k)
            }
        }
        let attack = Self.anomalies(text).filter { $0.sourceIP == "198.51.100.66" }
        #expect(attack.contains { $0.kind == .bruteForce })
        #expect(attack.count <= 2, "\(attack.map { "\($0.kind) \($0.eventCount)" })")
        // (The first failure, before the clock moved, is alone on its side of the jump.)
        #expect(attack.reduce(0) { $0 + $1.eventCount } >= 39)
    }

    /// A log read twice (time goes back a day between the copies) is two timelines: each
    /// copy's brute force is found once, and the copies' failures are not added together.
    @Test func aLogReadTwiceIsTwoTimelines() {
        var copy = ""
        for i in 0..<30 { copy += Self.failure(i, at: 100_000 + Int64(i) * 3) }
        for i in 0..<20 { copy += Self.line(100_200 + 3 * 3600 + Int64(i), "Accepted publickey for alice from 10.0.0.\(i % 5 + 1) port 22 ssh2", pid: 7000 + i) }
        let once = Self.anomalies(copy).filter { $0.sourceIP == "198.51.100.66" }
        let twice = Self.anomalies(copy + copy).filter { $0.sourceIP == "198.51.100.66" }
        #expect(once.count == 1)
        #expect(twice.count == 2, "\(twice.map { "\($0.kind) \($0.eventCount) \($0.start)" })")
        #expect(twice.map(\.eventCount) == [once[0].eventCount, once[0].eventCount])
    }

    /// A quiet night: the host's next lines come hours later, and few of them. They keep their
    /// own times (held at most until the input ends).
    @Test func linesAfterAQuietNightKeepTheirTimes() {
        var text = Self.failure(0, at: 0)
        for i in 0..<3 { text += Self.failure(i + 1, at: 9 * 3600 + Int64(i)) }
        var d = Detector(model: nil)
        var times: [Int64] = []
        _ = LogReader().read(bytes: Array(text.utf8), name: "a.log") { d.process($0); times.append($0.timestamp.microseconds) }
        _ = d.finish()
        #expect(d.displacedEvents == 0)
    }

    /// Past the guard's 10,000 hosts (host names come from logs an attacker can write), hosts
    /// share one guard as they share one clock: a flood of names first, then the stray-line
    /// attack on a host not seen before, is still one brute force (it was 36 incidents).
    @Test func aFloodOfHostNamesLeavesNoHostUnguarded() {
        var text = ""
        for i in 0..<10_050 { text += Self.line(Int64(i / 100), "Connection closed by 10.0.0.1 port 22 [preauth]", host: "h\(i)") }
        for i in 0..<40 {
            let t = 3600 + Int64(i) * 3
            text += Self.failure(i, at: t)
            text += Self.line(t - 7200, "Connection closed by 198.51.100.66 port \(3000 + i) [preauth]", pid: 3000 + i)
        }
        let attack = Self.anomalies(text).filter { $0.sourceIP == "198.51.100.66" && $0.kind == .bruteForce }
        #expect(attack.count == 1, "\(attack.map { "\($0.kind) \($0.eventCount)" })")
    }

    /// Displaced lines are counted: one stray line among many.
    @Test func strayLinesAreCountedAsDisplaced() {
        var text = ""
        for i in 0..<10 { text += Self.failure(i, at: 100_000 + Int64(i)) }
        text += Self.line(100_005 - 7200, "Connection closed by 10.0.0.1 port 22 [preauth]")
        for i in 10..<20 { text += Self.failure(i, at: 100_000 + Int64(i)) }
        var d = Detector(model: nil)
        _ = LogReader().read(bytes: Array(text.utf8), name: "a.log") { d.process($0) }
        _ = d.finish()
        #expect(d.displacedEvents == 1)
    }
}
