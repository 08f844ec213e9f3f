import Foundation
import Synchronization
import Testing
import TriplineAlerts
import TriplineConfig
import TriplineCore
import TriplineTestSupport

/// Retries, refusals, hangs, restarts: the spool's promises against a misbehaving receiver.
@Suite struct AlertDeliveryTests {
    @Test func serverErrorsAndRateLimitsAreRetriedUntilDelivered() async throws {
        try await FakeReceiver.with { r in
            r.script([.status(500, body: "boom"), .status(429, body: "slow down", headers: ["Retry-After": "0"]), .status(503)])
            let logs = LogCapture()
            let spool = Fixture.spoolDir()
            let d = try Fixture.dispatcher([.init(kind: .webhook, url: r.url("/h"))], spool: spool, logs: logs)
            d.start()
            d.offer([Fixture.anomaly()])
            #expect(await d.flush(timeout: 60) == 0)
            let st = d.status()
            await d.shutdown()
            #expect(r.requests.count == 4, "three failures, then the delivery")
            let ids = r.requests.map { req -> String? in
                guard case .array(let a)? = (try? JSONParser.parse(req.text))?["alerts"] else { return nil }
                return a.first?["alert_id"]?.scalarText
            }
            #expect(Set(ids) == ["a1.high"], "the same alert each time")
            #expect(st.first?.delivered == 1 && st.first?.failures == 3)
            #expect(logs.text.contains("HTTP 500") && logs.text.contains("HTTP 429") && logs.text.contains("recovered"))
            #expect(Fixture.files(spool, "webhook", "pending").isEmpty && Fixture.files(spool, "webhook", "rejected").isEmpty)
        }
    }

    @Test func backoffGrowsIsJitteredCappedAndHonoursRetryAfter() {
        for attempt in 1...8 {
            let d = min(60, 1 * pow(2, Double(attempt - 1)))
            for _ in 0..<50 {
                let w = AlertBackoff.delay(attempt: attempt, initial: 1, cap: 60, retryAfter: nil)
                #expect(w >= d / 2 && w <= d)
            }
        }
        let spread = Set((0..<20).map { _ in AlertBackoff.delay(attempt: 5, initial: 1, cap: 60, retryAfter: nil) })
        #expect(spread.count > 1, "jitter")
        #expect(AlertBackoff.delay(attempt: 1, initial: 1, cap: 60, retryAfter: 30) == 30)
        #expect(AlertBackoff.delay(attempt: 1, initial: 1, cap: 60, retryAfter: 3600) == 60)
    }

    @Test func refusedAlertsAreSetAsideAndTheQueueMovesOn() async throws {
        try await FakeReceiver.with { r in
            r.script([.status(400, body: "invalid_payload")])
            let logs = LogCapture()
            let spool = Fixture.spoolDir()
            let d = try Fixture.dispatcher([.init(kind: .slack, url: r.url("/services/X/Y/Z"), batchSize: 1)], spool: spool, logs: logs)
            d.offer([Fixture.anomaly(id: "bad"), Fixture.anomaly(id: "good")])
            d.start()
            #expect(await d.flush(timeout: 60) == 0)
            await d.shutdown()
            #expect(r.requests.count == 2, "a 400 is not retried")
            let rejected = Fixture.files(spool, "slack", "rejected")
            #expect(rejected.count == 1)
            let kept = try String(contentsOfFile: "\(spool)/slack/rejected/\(rejected[0])", encoding: .utf8)
            #expect(kept.contains("HTTP 400: invalid_payload") && kept.contains("\"bad.high\""))
            #expect(logs.text.contains("rejected/"))
        }
    }

    @Test func aHangingReceiverTimesOutAndTheAlertIsRetried() async throws {
        try await FakeReceiver.with { r in
            r.script([.hang])
            let logs = LogCapture()
            var sink = AlertSettings.Sink(kind: .splunk, url: r.url(), secret: "tok")
            sink.timeout = 1
            let d = try Fixture.dispatcher([sink], spool: Fixture.spoolDir(), logs: logs)
            d.start()
            d.offer([Fixture.anomaly()])
            #expect(await d.flush(timeout: 60) == 0, "delivered once the receiver answers")
            await d.shutdown()
            // The hung request, then one or more tries (a loaded machine may miss the short deadline again).
            #expect(r.requests.count >= 2)
            #expect(logs.text.contains("no answer within 1 s"))
        }
    }

    @Test func tooLargeBatchesAreSplit() async throws {
        try await FakeReceiver.with { r in
            r.answer { req in req.text.split(separator: "\n").count > 2 ? .status(413) : nil }
            let spool = Fixture.spoolDir()
            let d = try Fixture.dispatcher([.init(kind: .splunk, url: r.url(), secret: "tok", batchSize: 8)], spool: spool)
            d.offer((0..<5).map { Fixture.anomaly(id: "s\($0)") })
            d.start()
            #expect(await d.flush(timeout: 60) == 0)
            await d.shutdown()
            let delivered = r.requests.filter { $0.text.split(separator: "\n").count <= 2 }.flatMap { $0.text.split(separator: "\n") }
            #expect(delivered.count == 5)
            #expect(Fixture.files(spool, "splunk", "rejected").isEmpty)
        }
    }

    @Test func undeliveredAlertsSurviveARestartAndAreNotSentTwice() async throws {
        try await FakeReceiver.with { r in
            let spool = Fixture.spoolDir()
            let sinks: [AlertSettings.Sink] = [.init(kind: .webhook, url: r.url("/h"))]
            r.script([], fallback: .status(503))
            let first = try Fixture.dispatcher(sinks, spool: spool)
            first.start()
            first.offer([Fixture.anomaly(id: "x1"), Fixture.anomaly(id: "x2", score: 90)])
            #expect(await r.waitFor(requests: 2))
            // A second process may not share the spool while the first has it.
            #expect(throws: AlertError.self) { _ = try Fixture.dispatcher(sinks, spool: spool) }
            await first.shutdown()
            #expect(Fixture.files(spool, "webhook", "pending").count == 1)

            // What was delivered is what the receiver took (answered 200): a request of the first
            // process still in the receiver's socket when it shut down is answered 503 and
            // counts for nothing, however late a busy machine handles it.
            let delivered = Mutex<[[String]]>([])
            r.answer { req in
                guard case .array(let alerts)? = (try? JSONParser.parse(req.text))?["alerts"] else { return .status(400) }
                delivered.withLock { $0.append(alerts.compactMap { $0["alert_id"]?.scalarText }) }
                return .status(200)
            }
            let second = try Fixture.dispatcher(sinks, spool: spool)
            second.start()
            #expect(await second.flush(timeout: 60) == 0)
            await second.shutdown()
            #expect(delivered.withLock { $0 } == [["x1.high", "x2.critical"]])

            let third = try Fixture.dispatcher(sinks, spool: spool)
            // The same incidents seen again after a restart (the dashboard's history, a repeated run) stay quiet …
            #expect(third.offer([Fixture.anomaly(id: "x1"), Fixture.anomaly(id: "x2", score: 90)]) == 0)
            third.start()
            // Had anything been queued, flushing would deliver it before returning.
            #expect(await third.flush(timeout: 60) == 0)
            #expect(delivered.withLock { $0.count } == 1, "nothing is sent twice after a clean delivery")
            // … but an incident that got worse is news.
            #expect(third.offer([Fixture.anomaly(id: "x1", score: 88)]) == 1)
            #expect(await third.flush(timeout: 60) == 0)
            await third.shutdown()
            #expect(delivered.withLock { $0.count } == 2)
        }
    }

    @Test func aDamagedSpoolFileLosesOnlyItsDamagedLines() async throws {
        try await FakeReceiver.with { r in
            let spool = Fixture.spoolDir()
            let good = Alert(anomaly: Fixture.anomaly(id: "ok1"))
            try FileManager.default.createDirectory(atPath: "\(spool)/webhook/pending", withIntermediateDirectories: true)
            let damaged = good.spoolLine + Array("{\"alert_id\": \"half-writ".utf8) + [0x0A, 0xFF, 0xFE, 0x0A]
            FileManager.default.createFile(atPath: "\(spool)/webhook/pending/00000000000000001-000001-1.ndjson", contents: Data(damaged))
            FileManager.default.createFile(atPath: "\(spool)/webhook/pending/.00000000000000002-000001-1.ndjson.tmp", contents: Data("partial".utf8))
            let logs = LogCapture()
            let d = try Fixture.dispatcher([.init(kind: .webhook, url: r.url("/h"))], spool: spool, logs: logs)
            d.start()
            #expect(await d.flush(timeout: 60) == 0)
            await d.shutdown()
            #expect(r.requests.count == 1 && r.requests[0].text.contains("ok1.high"))
            #expect(logs.text.contains("unreadable lines"))
            let rejected = Fixture.files(spool, "webhook", "rejected")
            #expect(rejected.count == 1 && rejected[0].contains("unreadable"))
            #expect((try? FileManager.default.contentsOfDirectory(atPath: "\(spool)/webhook/pending"))?.isEmpty == true, "the unfinished write is gone")
        }
    }

    @Test func eachIncidentAlertsOncePerSeverityAndEscalationsSayFromWhat() async throws {
        try await FakeReceiver.with { r in
            let spool = Fixture.spoolDir()
            let d = try Fixture.dispatcher([.init(kind: .webhook, url: r.url("/h"), minSeverity: .high, batchSize: 1),
                                            .init(kind: .slack, url: r.url("/slack"), minSeverity: .critical)], spool: spool)
            #expect(d.offer([Fixture.anomaly(id: "inc", score: 50)]) == 0, "medium is below both minimums")
            #expect(d.offer([Fixture.anomaly(id: "inc", score: 70)]) == 1, "high: the webhook only")
            #expect(d.offer([Fixture.anomaly(id: "inc", score: 72)]) == 0, "still high: no repeat")
            #expect(d.offer([Fixture.anomaly(id: "inc", score: 90)]) == 2, "critical: an escalation for the webhook, first word for Slack")
            #expect(d.offer([Fixture.anomaly(id: "inc", score: 60)]) == 0, "falling back is not news")
            d.start()
            #expect(await d.flush(timeout: 60) == 0)
            await d.shutdown()
            let hooks = r.requests.filter { $0.path == "/h" }.compactMap { try? JSONParser.parse($0.text)["alerts"] }
            guard hooks.count == 2, case .array(let a)? = Optional(hooks[0]), case .array(let b)? = Optional(hooks[1]) else {
                Issue.record("expected two webhook requests, got \(hooks.count)"); return
            }
            #expect(a.first?["escalated_from"] == .null && a.first?["severity"]?.scalarText == "high")
            #expect(b.first?["escalated_from"]?.scalarText == "high" && b.first?["severity"]?.scalarText == "critical")
            let slack = r.requests.filter { $0.path == "/slack" }
            #expect(slack.count == 1 && !slack[0].text.contains("escalated"))
        }
    }

    @Test func secretsNeverReachTheLogs() async throws {
        try await FakeReceiver.with { r in
            let path = "/services/T0SECRET/B0SECRET/XXXXSECRETXXXX"
            let token = "hec-token-7f3a9b"
            r.answer { req in .status(401, body: "invalid token \(req.header("authorization") ?? "") for \(req.path)") }
            let logs = LogCapture()
            let d = try Fixture.dispatcher([.init(kind: .slack, url: r.url(path)), .init(kind: .splunk, url: r.url("/collector?channel=SECRETCHANNEL"), secret: token)],
                                           spool: Fixture.spoolDir(), logs: logs)
            d.start()
            d.offer([Fixture.anomaly()])
            #expect(await r.waitFor(requests: 4))
            await d.shutdown()
            let text = logs.text
            #expect(text.contains("HTTP 401") && text.contains("(hidden)"), "the failure is logged, the secrets are not")
            for secret in [path, "T0SECRET", token, "SECRETCHANNEL"] { #expect(!text.contains(secret), "\(secret) leaked into the log") }
            #expect(text.contains("slack (http://127.0.0.1:\(r.port)/…)"))
        }
    }

    @Test func aTestAlertReportsWhatTheReceiverSaid() async throws {
        try await FakeReceiver.with { r in
            r.script([.status(200), .status(400, body: "no_text")])
            let spool = Fixture.spoolDir()
            let d = try Fixture.dispatcher([.init(kind: .slack, url: r.url("/s"), minSeverity: .critical)], spool: spool)
            let ok = await d.sendTest(to: .slack)
            #expect(ok.ok && ok.status == 200)
            #expect(r.requests.first?.text.contains("[TEST]") == true)
            let bad = await d.sendTest(to: .slack)
            #expect(!bad.ok && bad.status == 400 && bad.outcome == .rejected(reason: "HTTP 400: no_text"))
            await d.shutdown()
            #expect(Fixture.files(spool, "slack", "pending").isEmpty, "tests do not go through the spool")
        }
    }
}
