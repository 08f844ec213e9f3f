import Crypto
import Foundation
import Testing
import TriplineAlerts
import TriplineConfig
import TriplineCore
import TriplineTestSupport

/// Each sink against a real HTTP server on loopback that records what it gets.
@Suite struct AlertSinkTests {
    @Test func slackMessageIsReadableAndLogTextCannotPing() async throws {
        try await FakeReceiver.with { r in
            let spool = Fixture.spoolDir()
            let d = try Fixture.dispatcher([.init(kind: .slack, url: r.url("/services/T000/B000/SECRETPATH"))], spool: spool)
            d.start()
            let evil = Fixture.anomaly(user: "<!channel> `x`", reasons: ["Failures for <!channel> & friends\u{1b}[31m"])
            #expect(d.offer([evil]) == 1)
            #expect(await d.flush(timeout: 60) == 0)
            await d.shutdown()
            #expect(r.requests.count == 1)
            let req = try #require(r.requests.first)
            #expect(req.path == "/services/T000/B000/SECRETPATH")
            #expect(req.header("Content-Type") == "application/json")
            let body = try JSONParser.parse(req.text)
            let summary = try #require(body["text"]?.scalarText)
            #expect(summary.contains("HIGH brute force") && summary.contains("203.0.113.45"))
            guard case .array(let blocks)? = body["blocks"] else { Issue.record("no blocks"); return }
            let text = blocks.compactMap { $0["text"]?["text"]?.scalarText }.joined(separator: "\n")
            #expect(text.contains("*HIGH · brute force*") && text.contains("`203.0.113.45`") && text.contains("on `web-1`"))
            #expect(text.contains("ATT&amp;CK T1110.001") && text.contains("score 75") && text.contains("12 events"))
            #expect(text.contains("2026-03-06 10:00:00 → 10:04:00 UTC"))
            #expect(!text.contains("<!channel>"), "log text must not ping the channel")
            #expect(text.contains("&lt;!channel&gt; & friends".replacingOccurrences(of: " & ", with: " &amp; ")))
            #expect(!text.contains("\u{1b}"), "control characters are shown, not sent")
            #expect(text.contains("`&lt;!channel&gt; 'x'`"), "user name as code, backticks neutralised")
        }
    }

    @Test func slackPutsTheWorstFirst() async throws {
        try await FakeReceiver.with { r in
            let d = try Fixture.dispatcher([.init(kind: .slack, url: r.url("/s"), minSeverity: .medium)], spool: Fixture.spoolDir())
            d.offer([Fixture.anomaly(id: "m", score: 50), Fixture.anomaly(id: "c", score: 95), Fixture.anomaly(id: "h", score: 70)])
            d.start()
            #expect(await d.flush(timeout: 60) == 0)
            await d.shutdown()
            let body = try JSONParser.parse(try #require(r.requests.first).text)
            #expect(body["text"]?.scalarText == "Tripline: 3 alerts (1 critical, 1 high, 1 medium)")
            guard case .array(let blocks)? = body["blocks"] else { Issue.record("no blocks"); return }
            let order = blocks.compactMap { $0["text"]?["text"]?.scalarText }.map { String($0.prefix(40)) }
            #expect(order.count == 3 && order[0].contains("CRITICAL") && order[1].contains("HIGH") && order[2].contains("MEDIUM"), "\(order)")
        }
    }

    @Test func splunkGetsBatchedEventsWithItsToken() async throws {
        try await FakeReceiver.with { r in
            let spool = Fixture.spoolDir()
            var sink = AlertSettings.Sink(kind: .splunk, url: r.url(), secret: "tok-1234-abcd", index: "security")
            sink.sourcetype = "tripline:test"
            let d = try Fixture.dispatcher([sink], spool: spool)
            let batch = [Fixture.anomaly(id: "a1"), Fixture.anomaly(id: "a2", score: 90), Fixture.anomaly(id: "a3", kind: .accountTakeover, score: 70),
                         Fixture.anomaly(id: "low", score: 20), Fixture.anomaly(id: "medium", score: 50)]
            #expect(d.offer(batch) == 3, "default minimum severity is high")
            d.start()
            #expect(await d.flush(timeout: 60) == 0)
            await d.shutdown()
            #expect(r.requests.count == 1, "one request for the batch")
            let req = try #require(r.requests.first)
            #expect(req.path == "/services/collector/event")
            #expect(req.header("Authorization") == "Splunk tok-1234-abcd")
            let events = try req.text.split(separator: "\n").map { try JSONParser.parse(String($0)) }
            #expect(events.count == 3)
            #expect(events.map { $0["event"]?["id"]?.scalarText } == ["a1", "a2", "a3"])
            #expect(events.allSatisfy { $0["index"]?.scalarText == "security" && $0["sourcetype"]?.scalarText == "tripline:test" && $0["host"]?.scalarText == "web-1" })
            #expect(events[1]["event"]?["severity"]?.scalarText == "critical" && events[1]["event"]?["alert_id"]?.scalarText == "a2.critical")
            #expect(events[0]["time"]?.numberValue == Timestamp(year: 2026, month: 3, day: 6, hour: 10, minute: 0, second: 0).seconds)
        }
    }

    @Test func elasticsearchBulkIsECSAndRetriesOnlyWhatFailed() async throws {
        try await FakeReceiver.with { r in
            let spool = Fixture.spoolDir()
            r.script([.status(200, body: #"{"took":3,"errors":true,"items":[{"create":{"_id":"a1.high","status":201}},{"create":{"_id":"a2.high","status":429,"error":{"type":"es_rejected_execution_exception","reason":"queue full"}}},{"create":{"_id":"a3.high","status":400,"error":{"type":"mapper_parsing_exception","reason":"failed to parse field"}}},{"create":{"_id":"a4.high","status":409,"error":{"type":"version_conflict_engine_exception","reason":"document already exists"}}}]}"#)],
                     fallback: .status(200, body: #"{"took":1,"errors":false,"items":[{"create":{"status":201}}]}"#))
            let d = try Fixture.dispatcher([.init(kind: .elasticsearch, url: r.url(), secret: "es-api-key-xyz", index: "soc-anomalies")], spool: spool)
            d.offer(["a1", "a2", "a3", "a4"].map { Fixture.anomaly(id: $0) })
            d.start()
            #expect(await d.flush(timeout: 60) == 0)
            await d.shutdown()
            #expect(r.requests.count == 2)
            let first = r.requests[0]
            #expect(first.path == "/_bulk" && first.header("Content-Type") == "application/x-ndjson")
            #expect(first.header("Authorization") == "ApiKey es-api-key-xyz")
            let lines = first.text.split(separator: "\n").map(String.init)
            #expect(lines.count == 8)
            let action = try JSONParser.parse(lines[0])
            #expect(action["create"]?["_index"]?.scalarText == "soc-anomalies" && action["create"]?["_id"]?.scalarText == "a1.high")
            let doc = try JSONParser.parse(lines[1])
            #expect(doc["@timestamp"]?.scalarText == "2026-03-06T10:00:00Z")
            #expect(doc["source"]?["ip"]?.scalarText == "203.0.113.45" && doc["user"]?["name"]?.scalarText == "root")
            #expect(doc["event"]?["kind"]?.scalarText == "alert" && doc["host"]?["name"]?.scalarText == "web-1")
            #expect(doc["threat"]?["technique"]?["id"] == .array([.string("T1110.001")]))
            #expect(doc["tripline"]?["alert_id"]?.scalarText == "a1.high")
            // The retry carries only the document Elasticsearch pushed back (429).
            let retry = r.requests[1].text.split(separator: "\n").map(String.init)
            #expect(try retry.count == 2 && JSONParser.parse(retry[0])["create"]?["_id"]?.scalarText == "a2.high")
            // The one it refused (400) is set aside with the reason; the 409 counts as delivered.
            let rejected = Fixture.files(spool, "elasticsearch", "rejected")
            #expect(rejected.count == 1)
            let kept = try String(contentsOfFile: "\(spool)/elasticsearch/rejected/\(rejected[0])", encoding: .utf8)
            #expect(kept.contains("mapper_parsing_exception") && kept.contains("a3.high") && !kept.contains("a4.high"))
            #expect(Fixture.files(spool, "elasticsearch", "pending").isEmpty)
        }
    }

    @Test func webhookIsSignedWithHMACSHA256() async throws {
        try await FakeReceiver.with { r in
            let spool = Fixture.spoolDir()
            let secret = "whsec-5f1c0ffee"
            let d = try Fixture.dispatcher([.init(kind: .webhook, url: r.url("/hooks/tripline"), secret: secret, minSeverity: .medium)], spool: spool)
            d.start()
            d.offer([Fixture.anomaly(id: "w1", score: 50), Fixture.anomaly(id: "w2", score: 95)])
            #expect(await d.flush(timeout: 60) == 0)
            await d.shutdown()
            let req = try #require(r.requests.first)
            #expect(r.requests.count == 1)
            let expected = HMAC<SHA256>.authenticationCode(for: req.body, using: SymmetricKey(data: Array(secret.utf8)))
                .map { String(format: "%02x", $0) }.joined()
            #expect(req.header("X-Tripline-Signature-256") == "sha256=" + expected)
            #expect(req.header("X-Tripline-Delivery")?.count == 32)
            let body = try JSONParser.parse(req.text)
            #expect(body["source"]?.scalarText == "tripline")
            guard case .array(let alerts)? = body["alerts"] else { Issue.record("no alerts array"); return }
            #expect(alerts.map { $0["alert_id"]?.scalarText } == ["w1.medium", "w2.critical"])
            #expect(alerts[0]["entity"]?.scalarText == "source 203.0.113.45" && alerts[0]["reasons"] != nil)
        }
    }

    @Test func unsignedWebhookHasNoSignature() async throws {
        try await FakeReceiver.with { r in
            let d = try Fixture.dispatcher([.init(kind: .webhook, url: r.url("/hook"))], spool: Fixture.spoolDir())
            d.start()
            d.offer([Fixture.anomaly()])
            await d.flush(timeout: 10)
            await d.shutdown()
            #expect(r.requests.count == 1 && r.requests[0].header("X-Tripline-Signature-256") == nil)
        }
    }
}
