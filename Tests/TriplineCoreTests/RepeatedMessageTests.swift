import Foundation
import Testing
@testable import TriplineCore

/// rsyslog's `$RepeatedMsgReduction` (on in Debian's and Ubuntu's default configuration) folds
/// identical lines into `message repeated N times: [ … ]`: a brute force must not shrink with it.
@Suite struct RepeatedMessageTests {
    // From a real public log (loghub's OpenSSH sample): six password tries on one connection.
    static let folded = """
    Dec 10 07:13:31 LabSZ sshd[24227]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=5.36.59.76.dynamic-dsl-ip.omantel.net.om  user=root
    Dec 10 07:13:33 LabSZ sshd[24227]: Failed password for root from 5.36.59.76 port 42393 ssh2
    Dec 10 07:13:56 LabSZ sshd[24227]: message repeated 5 times: [ Failed password for root from 5.36.59.76 port 42393 ssh2]
    Dec 10 07:13:56 LabSZ sshd[24227]: Disconnecting: Too many authentication failures for root [preauth]
    Dec 10 07:13:56 LabSZ sshd[24227]: PAM 5 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=5.36.59.76.dynamic-dsl-ip.omantel.net.om  user=root
    """

    @Test func theRepeatedMessageIsOneEventWithACount() {
        var events: [LogEvent] = []
        let summary = LogReader(options: ParseOptions(year: 2016)).read(bytes: Array(Self.folded.utf8), name: "auth.log") { events.append($0) }
        #expect(summary.linesRead == 5 && summary.events == 5)
        let repeats = events.filter { $0.line == 3 }
        #expect(repeats.count == 1)
        #expect(repeats.first?.repeatCount == 5)
        #expect(repeats.allSatisfy { $0.action == "failed" && $0.user == "root" && $0.sourceIP == "5.36.59.76" && $0.outcome == .failure })
        #expect(repeats.first?.message == "Failed password for root from 5.36.59.76 port 42393 ssh2")
        #expect(repeats.first?.jsonString.contains("\"repeat_count\":5") == true)
    }

    @Test func aFoldedBruteForceIsStillOne() throws {
        let a = Analysis.run(paths: [try temporaryFile(Self.folded)], reader: LogReader(options: ParseOptions(year: 2016)), model: nil)
        let bf = a.anomalies.filter { $0.kind == .bruteForce && $0.sourceIP == "5.36.59.76" }
        #expect(bf.count == 1, "six tries on one connection, five of them folded: \(a.anomalies.map(\.kind))")
        // PAM's and sshd's line for the first try count once, the folded five count, PAM's closing summary does not: 6.
        #expect(bf.first?.details["failures"]?.numberValue == 6, "\(bf.first?.reasons ?? [])")
        #expect(a.eventsAnalyzed == 9, "the folded line stands for five events")
    }

    /// What `tripline parse` writes reads back with its count, and a count in a record that says
    /// what happened is weighed like the folded syslog line.
    @Test func aCountInAStructuredRecordIsWeighed() throws {
        let line = #"{"timestamp":"2016-12-10T07:13:56Z","user":"root","source_ip":"5.36.59.76","event_type":"login","action":"failed","message":"Failed password","repeat_count":12}"#
        let (events, _) = readAll(try temporaryFile(line + "\n", name: "e.ndjson"))
        #expect(events.count == 1 && events.first?.repeatCount == 12)
        var d = Detector(model: nil)
        for e in events { d.process(e) }
        let found = d.finish()
        #expect(found.map(\.kind) == [.bruteForce], "12 failures in one record")
        #expect(found.first?.details["failures"]?.numberValue == 12)
        let huge = #"{"timestamp":"2016-12-10T07:13:56Z","user":"root","event_type":"login","action":"failed","repeat_count":1e300}"#
        #expect(readAll(try temporaryFile(huge + "\n", name: "e.ndjson")).0.first?.repeatCount == SyslogParser.maxRepeats)
    }

    static func repeats(_ text: String) -> Int {
        var s = text
        return s.withUTF8 { SyslogParser.unwrapRepeat(ByteSpan($0)).1 }
    }

    @Test func onlyTheRealShapeUnfoldsAndHugeCountsAreBounded() {
        #expect(Self.repeats("message repeated 3 times: [ x]") == 3)
        #expect(Self.repeats("message repeated 3 times: [ x") == 1, "no closing bracket")
        #expect(Self.repeats("message repeated many times: [ x]") == 1)
        #expect(Self.repeats("message repeated 999999999 times: [ x]") == SyslogParser.maxRepeats)
        let e = syslogEvent("Dec 10 07:13:56 h sshd[1]: message repeated 2 times: [ Accepted password for bob from 10.0.0.1 port 1 ssh2]")
        #expect(e?.repeatCount == 2 && e?.action == "accepted" && e?.user == "bob")
    }
}

