import Foundation
import Testing
import TriplineTestSupport
@testable import TriplineCore

@Suite struct StructuredInputTests {
    @Test func ndjsonInThePrototypeSchemaWithExtraFields() throws {
        let path = try temporaryFile("""
        {"timestamp": "2026-01-15T10:00:00Z", "user": "admin", "source_ip": "10.0.0.100", "event_type": "login", "action": "failed", "message": "Failed login attempt"}
        {"timestamp": "2026-01-15T10:00:05+02:00", "user": "bob", "source_ip": "10.0.0.7", "event_type": "file_access", "action": "read", "message": "read x", "resource": "/srv/x", "bytes": 1234}
        """, name: "a.ndjson")
        let (events, summary) = readAll(path)
        #expect(summary.formats[path] == .ndjson)
        #expect(events.count == 2)
        #expect(events[0].outcome == .failure && events[0].eventType == .login && events[0].user == "admin")
        #expect(events[0].timestamp.iso8601 == "2026-01-15T10:00:00Z" && events[0].line == 1)
        #expect(events[1].eventType.rawValue == "file_access" && events[1].outcome == .success && events[1].action == "read")
        #expect(events[1].timestamp.iso8601 == "2026-01-15T08:00:05Z")
        #expect(events[1].extra["resource"] == .string("/srv/x") && events[1].extra["bytes"] == .int(1234))
    }

    @Test func jsonArrayAndApiBodyKeepLineNumbers() throws {
        let arr = try temporaryFile("""
        [
          {"timestamp": "2026-01-15T10:00:00Z", "user": "a", "event_type": "login", "action": "success"},
          {"timestamp": "nonsense", "user": "b"},
          {"timestamp": 1768471200, "user": "c", "event_type": "login", "action": "failure"}
        ]
        """, name: "a.json")
        let (events, summary) = readAll(arr)
        #expect(summary.formats[arr] == .json)
        #expect(events.map(\.user) == ["a", "c"])
        #expect(events.map(\.line) == [2, 4])
        #expect(events[1].timestamp.iso8601 == "2026-01-15T10:00:00Z")
        #expect(summary.skipped[.badTimestamp] == 1)
        #expect(summary.examples.first?.location == "\(arr):3")

        let body = try temporaryFile(#"{"logs": [{"timestamp": "2026-01-15T10:00:00Z", "user": "admin", "source_ip": "10.0.0.100", "event_type": "login", "action": "failed", "message": "x"}]}"#, name: "body.json")
        let (b, _) = readAll(body)
        #expect(b.count == 1 && b[0].sourceIP == "10.0.0.100")
    }

    @Test func csvWithQuotesAndMultilineFields() throws {
        let path = try temporaryFile("""
        timestamp,user,source_ip,event_type,action,message\r
        2026-01-15T10:00:00Z,alice,10.0.0.1,login,success,"ok, fine"\r
        2026-01-15T10:01:00Z,bob,10.0.0.2,login,failed,"said ""no""
        over two lines"\r
        2026-01-15T10:02:00Z,carol,10.0.0.3,login\r
        """, name: "a.csv")
        let (events, summary) = readAll(path)
        #expect(summary.formats[path] == .csv)
        #expect(events.count == 2)
        #expect(events[0].message == "ok, fine")
        #expect(events[1].message == "said \"no\"\nover two lines" && events[1].outcome == .failure && events[1].line == 3)
        #expect(summary.skipped[.csvFieldCount] == 1)
        #expect(summary.examples.contains { $0.location == "\(path):5" })
    }

    /// A quote opened and never closed: the record may span 64 lines at most; past that its
    /// line is an error and every row after it is read (once up to a megabyte of rows was lost
    /// as "1 line skipped"), at the end of the file too.
    @Test(arguments: [false, true]) func anUnterminatedQuoteLosesOnlyItsLine(atEnd: Bool) throws {
        var text = "timestamp,user,source_ip,event_type,action,message\n"
        text += "2026-01-15T10:00:00Z,mallory,10.0.0.9,login,failed,\"never closed\n"
        let rows = atEnd ? 20 : 1000
        for i in 0..<rows { text += "2026-01-15T10:\(String(format: "%02d", i % 60)):00Z,u\(i),10.0.0.\(i % 200),login,failed,plain\n" }
        let path = try temporaryFile(text, name: "q\(atEnd).csv")
        let (events, summary) = readAll(path)
        #expect(events.count == rows, "\(summary.skipped)")
        #expect(summary.skipped[.csvUnterminatedQuote] == 1)
        #expect(summary.linesRead == rows + 2, "every line counted once (the fuzzer found the quote's line counted twice)")
        #expect(summary.examples.contains { $0.location == "\(path):2" })
    }

    /// An unterminated quote costs linear time (it was quadratic: 120 KB in 7 s, 240 KB in 32 s),
    /// with a quote on every line after it too.
    @Test(arguments: [false, true]) func unterminatedQuotesCostLinearTime(quoteOnEveryLine: Bool) {
        let ratio = Growth.ratio(n: 4000) { n in
            var text = "timestamp,user,source_ip,event_type,action,message\n2026-01-15T10:00:00Z,m,10.0.0.9,login,failed,\"open\n"
            for i in 0..<n { text += "2026-01-15T10:00:00Z,u\(i),10.0.0.1,login,failed,\(quoteOnEveryLine ? "\"x" : "x")\n" }
            let bytes = Array(text.utf8)
            return { _ = LogReader().read(bytes: bytes, name: "q.csv") { _ in } }
        }
        #expect(ratio.ratio <= AdversarialInputTests.limit, "8x the input took \(ratio.ratio)x the time")
    }

    @Test func parseOutputIsValidInputAgain() throws {
        let text = """
        Mar 30 15:54:19 web-01 sshd[1234]: Failed password for invalid user admin from 203.0.113.45 port 50000 ssh2
        Mar 30 15:55:00 web-01 sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/id
        Mar 30 15:56:00 web-01 CRON[5]: message with "quotes", tabs\tand \\ backslashes
        """
        let src = try temporaryFile(text)
        let (first, _) = readAll(src)
        var w = JSONWriter()
        for e in first { e.writeJSON(to: &w); w.bytes.append(0x0A) }
        let again = try temporaryFile(w.bytes, name: "again.ndjson")
        let (second, summary) = readAll(again)
        #expect(summary.formats[again] == .ndjson)
        #expect(second.count == first.count)
        for (a, b) in zip(first, second) {
            var a2 = a, b2 = b
            a2.file = nil; a2.line = 0; b2.file = nil; b2.line = 0
            #expect(a2 == b2)
        }
    }

    @Test func actionWordsMapToOutcomes() {
        #expect(Outcome(action: "failed") == .failure)
        #expect(Outcome(action: "FAILURE") == .failure)
        #expect(Outcome(action: "denied") == .failure)
        #expect(Outcome(action: "success") == .success)
        #expect(Outcome(action: "read") == .success)
        #expect(Outcome(action: "download") == .success)
        #expect(Outcome(action: "something") == .unknown)
    }
}
