import Foundation
import Testing
@testable import TriplineCore

/// Scans: connections from one address that never try to log in, in the shapes OpenSSH logs
/// them (6.x to 9.x), flagged low or medium and never critical, and named as context in a later
/// incident of the same address.
@Suite struct ReconnaissanceTests {
    static func run(_ text: String) -> [Anomaly] {
        Analysis.run(bytes: Array(text.utf8), name: "auth.log",
                     reader: LogReader(options: ParseOptions(year: 2026, timeZone: TimeZone(identifier: "UTC")!)), model: nil).anomalies
    }

    static func stamp(_ seconds: Int) -> String {
        String(format: "Mar  3 %02d:%02d:%02d", 4 + seconds / 3600, seconds / 60 % 60, seconds % 60)
    }

    /// Each probe in one of the shapes sshd logs: one or two lines per connection.
    static func scan(from ip: String, probes: Int, startingAt s0: Int = 0, every gap: Int = 6) -> String {
        (0..<probes).map { i -> String in
            let t = stamp(s0 + i * gap), pid = 9000 + i, port = 40000 + i
            switch i % 5 {
            case 0: return "\(t) web sshd[\(pid)]: Did not receive identification string from \(ip) port \(port)\n"
            case 1: return "\(t) web sshd[\(pid)]: error: kex_exchange_identification: Connection closed by remote host\n\(t) web sshd[\(pid)]: Connection closed by \(ip) port \(port)\n"
            case 2: return "\(t) web sshd[\(pid)]: Received disconnect from \(ip) port \(port):11: Bye Bye [preauth]\n\(t) web sshd[\(pid)]: Disconnected from \(ip) port \(port) [preauth]\n"
            case 3: return "\(t) web sshd[\(pid)]: error: kex_exchange_identification: banner line contains invalid characters\n\(t) web sshd[\(pid)]: banner exchange: Connection from \(ip) port \(port): invalid format\n"
            default: return "\(t) web sshd[\(pid)]: Connection closed by \(ip) port \(port) [preauth]\n"
            }
        }.joined()
    }

    @Test func aBurstOfProbesIsOneScan() {
        let found = Self.run(Self.scan(from: "198.51.100.23", probes: 25))
        #expect(found.count == 1, "\(found.map { ($0.kind, $0.reasons) })")
        guard let a = found.first else { return }
        #expect(a.kind == .reconnaissance && a.sourceIP == "198.51.100.23")
        #expect(a.techniques == ["T1595", "T1046"])
        #expect(a.severity == .low || a.severity == .medium)
        #expect(a.start == Timestamp(year: 2026, month: 3, day: 3, hour: 4, minute: 0, second: 0), "starts at the first probe")
        #expect(a.reasons.first?.hasPrefix("25 connections from 198.51.100.23") == true, "one per connection, however many lines: \(a.reasons)")
    }

    @Test func aBigScanIsNeverCritical() {
        let found = Self.run(Self.scan(from: "198.51.100.24", probes: 3000, every: 1))
        #expect(found.count == 1 && found.allSatisfy { $0.kind == .reconnaissance && $0.severity <= .medium }, "\(found.map { ($0.kind, $0.severity) })")
    }

    @Test func aFewProbesAreNothing() {
        #expect(Self.run(Self.scan(from: "198.51.100.25", probes: 9)).isEmpty)
        // Spread out: nine in any ten minutes.
        #expect(Self.run(Self.scan(from: "198.51.100.26", probes: 30, every: 70)).isEmpty)
    }

    /// Connections that tried passwords are a login attack, not a scan, however they end.
    @Test func connectionsWithAttemptsAreNotProbes() {
        let text = (0..<20).map { i -> String in
            let t = Self.stamp(i * 4), pid = 7000 + i
            return "\(t) web sshd[\(pid)]: Failed password for root from 203.0.113.70 port \(50000 + i) ssh2\n"
                + "\(t) web sshd[\(pid)]: Received disconnect from 203.0.113.70 port \(50000 + i):11: Bye Bye [preauth]\n"
                + "\(t) web sshd[\(pid)]: Connection closed by 203.0.113.70 port \(50000 + i) [preauth]\n"
        }.joined()
        let found = Self.run(text)
        #expect(found.map(\.kind) == [.bruteForce], "\(found.map(\.kind))")
    }

    /// A scan, then a brute force from the same address an hour later: the brute force says so.
    @Test func aLaterAttackNamesTheScanBeforeIt() {
        var text = Self.scan(from: "198.51.100.27", probes: 15)
        text += (0..<8).map { "\(Self.stamp(3600 + $0 * 3)) web sshd[\(8000 + $0)]: Failed password for root from 198.51.100.27 port \(60000 + $0) ssh2\n" }.joined()
        let found = Self.run(text)
        #expect(found.map(\.kind) == [.reconnaissance, .bruteForce])
        #expect(found.last?.reasons.contains { $0.hasPrefix("preceded by a scan: 15 connections from 198.51.100.27") } == true, "\(found.last?.reasons ?? [])")
    }

    /// An analysis reads its lines without their message text (a string per line less), yet
    /// what it finds is the same: sshd's `[preauth]` mark, all detection reads of a message,
    /// stands for the message. Disconnections before authentication are scans only by it.
    @Test func anAnalysisReadsWithoutMessagesAndFindsTheSame() throws {
        let text = (0..<25).map { i -> String in
            let t = Self.stamp(i * 6), port = 41000 + i
            return "\(t) web sshd[\(9500 + i)]: Received disconnect from 198.51.100.31 port \(port):11: Bye Bye [preauth]\n"
                + "\(t) web sshd[\(9500 + i)]: Disconnected from 198.51.100.31 port \(port) [preauth]\n"
        }.joined() + "Mar  3 05:00:00 web sshd[9600]: Accepted publickey for alice from 10.0.0.5 port 50000 ssh2\n"
        var options = ParseOptions(year: 2026, timeZone: try #require(TimeZone(identifier: "UTC")))
        var withText: [LogEvent] = [], without: [LogEvent] = []
        _ = LogReader(options: options).read(bytes: Array(text.utf8), name: "auth.log") { withText.append($0) }
        options.keepsMessages = false
        _ = LogReader(options: options).read(bytes: Array(text.utf8), name: "auth.log") { without.append($0) }
        #expect(without.count == 51 && withText.count == 51)
        #expect(without.filter { $0.message == LogEvent.preauthMark }.count == 50, "the mark for each [preauth] line")
        #expect(without.allSatisfy { $0.message.isEmpty || $0.message == LogEvent.preauthMark })
        #expect(zip(withText, without).allSatisfy { $0.isPreauth == $1.isPreauth })
        // Analysis.run(bytes:) reads without messages; the events with them give the same.
        let found = Self.run(text)
        let reference = Analysis.run(events: withText, model: nil).anomalies
        #expect(found.map(\.kind) == [.reconnaissance], "\(found.map { ($0.kind, $0.reasons) })")
        #expect(found.map(\.reasons) == reference.map(\.reasons) && found.map(\.severity) == reference.map(\.severity))
        // Without the mark, the same lines would not be a scan.
        let unmarked = without.map { e -> LogEvent in var e = e; e.message = ""; return e }
        #expect(Analysis.run(events: unmarked, model: nil).anomalies.isEmpty)
    }
}
