import Foundation
import Testing
import TriplineCore
import TriplineTestSupport

/// Alerts as an operator meets them: `tripline alert --test`, and `tripline batch` delivering
/// through its spool to receivers that answer, fail, hang, or lose the sender to a kill -9.
@Suite struct AlertCommandTests {
    static let sample = CLIRunner.projectRoot.appendingPathComponent("test_logs/auth.log")

    /// Runs the binary on a Dispatch thread, so the test's own HTTP receiver keeps its threads.
    static func run(_ args: [String], env extra: [String: String], cwd: URL? = nil) async throws -> CLIRunner.Result {
        var env = ProcessInfo.processInfo.environment
        for k in env.keys where k.hasPrefix("TRIPLINE_") { env[k] = nil }
        for (k, v) in extra { env[k] = v }
        let box = env
        return try await offPool { try CLIRunner.run(args, cwd: cwd, environment: box) }
    }

    /// Blocking work (waiting for a child) on a Dispatch thread, not the test's cooperative pool.
    static func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { c in
            DispatchQueue.global().async {
                do { c.resume(returning: try work()) } catch { c.resume(throwing: error) }
            }
        }
    }

    static func alertIDs(_ requests: [FakeReceiver.Recorded]) -> [String] {
        requests.flatMap { r -> [String] in
            guard case .array(let a)? = (try? JSONParser.parse(r.text))?["alerts"] else { return [] }
            return a.compactMap { $0["alert_id"]?.scalarText }
        }
    }

    @Test func testAlertReachesEverySinkAndSaysWhenOneRefuses() async throws {
        // A generous deadline for each delivery: with both cores busy, a sink's default 10 s
        // once passed before the receiver answered. The test waits for the answers themselves.
        let dir = try CLIRunner.tempDir()
        let config = dir.appendingPathComponent("tripline.toml")
        try ["slack", "splunk", "elasticsearch", "webhook"].map { "[alerts.\($0)]\ntimeout = 300\n" }.joined()
            .write(to: config, atomically: true, encoding: .utf8)
        try await FakeReceiver.with { r in
            let env = ["TRIPLINE_SLACK_WEBHOOK_URL": r.url("/services/T1/B1/SECRETPATH"),
                       "TRIPLINE_SPLUNK_HEC_URL": r.url(), "TRIPLINE_SPLUNK_HEC_TOKEN": "hec-secret-token",
                       "TRIPLINE_ELASTICSEARCH_URL": r.url(), "TRIPLINE_WEBHOOK_URL": r.url("/hook"), "TRIPLINE_WEBHOOK_SECRET": "whsec",
                       "TRIPLINE_CONFIG": config.path]
            r.answer { req in req.path == "/_bulk" ? .status(200, body: #"{"took":1,"errors":false,"items":[{"create":{"status":201}}]}"#) : nil }
            let ok = try await Self.run(["alert", "--test", "all"], env: env)
            #expect(ok.status == 0, "\(ok.stdout)\(ok.stderr)")
            #expect(ok.stdout.split(separator: "\n").filter { $0.contains("test alert delivered (HTTP 200") }.count == 4)
            #expect(Set(r.requests.map(\.path)) == ["/services/T1/B1/SECRETPATH", "/services/collector/event", "/_bulk", "/hook"])
            #expect(r.requests.allSatisfy { $0.text.contains("tripline-test") })
            #expect(!(ok.stdout + ok.stderr).contains("SECRETPATH") && !(ok.stdout + ok.stderr).contains("hec-secret-token"))

            r.answer { req in req.path.hasPrefix("/services/T1") ? .status(404, body: "no_service") : nil }
            let bad = try await Self.run(["alert", "--test", "slack"], env: env)
            #expect(bad.status == 1)
            #expect(bad.stdout.contains("slack (http://127.0.0.1:\(r.port)/…): test alert NOT delivered: HTTP 404"))
            #expect(!bad.stdout.contains("SECRETPATH"))
            // --output json: one object per sink, secrets still hidden.
            r.answer { req in
                if req.path.hasPrefix("/services/T1") { return .status(404, body: "no_service") }
                return req.path == "/_bulk" ? .status(200, body: #"{"took":1,"errors":false,"items":[{"create":{"status":201}}]}"#) : nil
            }
            let js = try await Self.run(["alert", "--test", "all", "--output", "json"], env: env)
            #expect(js.status == 1 && !js.stdout.contains("SECRETPATH") && !js.stdout.contains("hec-secret-token"))
            guard case .array(let results)? = try? JSONParser.parse(js.stdout) else { Issue.record("\(js.stdout)"); return }
            #expect(results.count == 4)
            let slack = results.first { $0["sink"]?.scalarText == "slack" }
            #expect(slack?["delivered"] == .bool(false) && slack?["status"]?.numberValue == 404 && slack?["error"]?.scalarText?.contains("404") == true)
            #expect(results.filter { $0["delivered"] == .bool(true) }.count == 3)
        }
    }

    @Test func testWithoutThatSinkConfiguredSaysHowToConfigureIt() async throws {
        let none = try await Self.run(["alert", "--test", "splunk"], env: [:])
        #expect(none.status == 2 && none.stderr.contains("TRIPLINE_SPLUNK_HEC_URL"))
        let typo = try await Self.run(["alert", "--test", "pagerduty"], env: [:])
        #expect(typo.status == 2 && typo.stderr.contains("unknown sink 'pagerduty'"))
        let badURL = try await Self.run(["alert", "--test", "all"], env: ["TRIPLINE_WEBHOOK_URL": "not a url SECRET"])
        #expect(badURL.status == 2 && badURL.stderr.contains("TRIPLINE_WEBHOOK_URL must be an http") && !badURL.stderr.contains("SECRET"))
    }

    struct BatchSetup { let dir: URL; let logs: URL; let out: URL; let models: String }

    static func batchSetup() throws -> BatchSetup {
        let dir = try CLIRunner.tempDir()
        let logs = dir.appendingPathComponent("logs"), out = dir.appendingPathComponent("reports")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        let models = dir.appendingPathComponent("models").path
        #expect(try CLIRunner.run(["train", "--data-path", sample.path, "--baseline-days", "1", "--model-dir", models]).status == 0)
        try FileManager.default.copyItem(at: sample, to: logs.appendingPathComponent("auth.log"))
        return BatchSetup(dir: dir, logs: logs, out: out, models: models)
    }

    /// What the sinks must receive: the alert ids (`id.severity`) of the anomalies `tripline analyze`
    /// finds in the sample with the setup's model at or above `severity`.
    static func expectedAlerts(_ s: BatchSetup, atLeast severity: String) throws -> Set<String> {
        let r = try CLIRunner.run(["analyze", sample.path, "--model-dir", s.models, "--output", "ndjson", "--min-severity", severity])
        #expect(r.status == 0, "\(r.stderr)")
        return Set(r.stdout.split(separator: "\n").compactMap { line -> String? in
            guard let doc = try? JSONParser.parse(String(line)), let id = doc["id"]?.scalarText,
                  let level = doc["severity"]?.scalarText else { return nil }
            return "\(id).\(level)"
        })
    }

    static func batchArgs(_ s: BatchSetup) -> [String] {
        ["batch", "--log-dir", s.logs.path, "--output-dir", s.out.path, "--once", "--model-dir", s.models]
    }

    @Test func batchSendsHighAnomaliesOnceAndKeepsWhatCouldNotGo() async throws {
        try await FakeReceiver.with { r in
            let s = try Self.batchSetup()
            try "[alerts]\nflush_timeout = 2\nmax_backoff = 1\n".write(to: s.dir.appendingPathComponent("tripline.toml"), atomically: true, encoding: .utf8)
            let env = ["TRIPLINE_WEBHOOK_URL": r.url("/hook"), "TRIPLINE_CONFIG": s.dir.appendingPathComponent("tripline.toml").path]
            // The receiver is down: the run is recorded, the alerts wait, exit status 3.
            r.script([], fallback: .status(503))
            let first = try await Self.run(Self.batchArgs(s), env: env, cwd: s.dir)
            #expect(first.status == 3, "\(first.stderr)")
            #expect(first.stderr.contains("not delivered yet, kept in"))
            #expect(await r.waitFor(requests: 1, timeout: 30), "the first run tried")
            await r.waitUntilQuiet()
            let failedTries = Self.alertIDs(r.requests)
            let expected = try Self.expectedAlerts(s, atLeast: "high")
            #expect(expected.count >= 5 && Set(failedTries) == expected, "the high and critical anomalies of test_logs/auth.log")
            // Back up: the next run (no new lines) delivers what waited, once (given time to: a
            // loaded machine can take more than the first run's two seconds).
            try "[alerts]\nflush_timeout = 20\nmax_backoff = 1\n".write(to: s.dir.appendingPathComponent("tripline.toml"), atomically: true, encoding: .utf8)
            r.script([], fallback: .status(200))
            let before = r.requests.count
            let second = try await Self.run(Self.batchArgs(s), env: env, cwd: s.dir)
            #expect(second.status == 0, "\(second.stderr)")
            #expect(second.stderr.contains("\(expected.count) waiting from before") && second.stderr.contains("\(expected.count) alerts delivered"))
            await r.waitUntilQuiet()
            let delivered = Self.alertIDs(Array(r.requests[before...]))
            #expect(delivered.count == expected.count && Set(delivered) == expected)
            #expect(delivered.allSatisfy { $0.hasSuffix(".high") || $0.hasSuffix(".critical") })
            let third = try await Self.run(Self.batchArgs(s), env: env, cwd: s.dir)
            #expect(third.status == 0)
            #expect(r.requests.count == before + Set(r.requests[before...].map(\.text)).count, "nothing sent twice")
            #expect(Self.alertIDs(Array(r.requests[before...])).count == expected.count)
        }
    }

    @Test func killedInTheMiddleOfADeliveryLosesNothing() async throws {
        try await FakeReceiver.with { r in
            let s = try Self.batchSetup()
            try "[alerts.splunk]\ntimeout = 120\n".write(to: s.dir.appendingPathComponent("tripline.toml"), atomically: true, encoding: .utf8)
            let env = ["TRIPLINE_SPLUNK_HEC_URL": r.url(), "TRIPLINE_SPLUNK_HEC_TOKEN": "tok",
                       "TRIPLINE_CONFIG": s.dir.appendingPathComponent("tripline.toml").path]
            r.script([.hang])
            var childEnv = ProcessInfo.processInfo.environment
            for (k, v) in env { childEnv[k] = v }
            childEnv["TZ"] = "UTC"
            let p = try ChildProcess.start(CLIRunner.binary.path, Self.batchArgs(s), environment: childEnv, cwd: s.dir)
            #expect(await r.waitFor(requests: 1, timeout: 60), "the delivery started")
            p.signal(SIGKILL)
            _ = try p.wait(timeout: 30)
            let hung = r.requests[0].text.split(separator: "\n").compactMap { try? JSONParser.parse(String($0))["event"]?["alert_id"]?.scalarText }
            let wanted = try Self.expectedAlerts(s, atLeast: "high")
            #expect(hung.count == wanted.count && Set(hung) == wanted)
            // Restarted: the same alerts go out (the receiver never answered the first time) …
            let again = try await Self.run(Self.batchArgs(s), env: env, cwd: s.dir)
            #expect(again.status == 0, "\(again.stderr)")
            #expect(r.requests.count == 2)
            let resent = r.requests[1].text.split(separator: "\n").compactMap { try? JSONParser.parse(String($0))["event"]?["alert_id"]?.scalarText }
            #expect(resent == hung)
            // … and after that clean delivery, never again.
            #expect(try await Self.run(Self.batchArgs(s), env: env, cwd: s.dir).status == 0)
            #expect(r.requests.count == 2)
        }
    }

    @Test func serveAlertsOnWhatItAnalyses() async throws {
        try await FakeReceiver.with { r in
            let s = try Self.batchSetup()
            var env = ProcessInfo.processInfo.environment
            for k in env.keys where k.hasPrefix("TRIPLINE_") { env[k] = nil }
            env["TRIPLINE_WEBHOOK_URL"] = r.url("/hook")
            env["TRIPLINE_ALERT_MIN_SEVERITY"] = "critical"
            let server = try ChildProcess.start(CLIRunner.binary.path, ["serve", "--port", "0", "--model-dir", s.models], environment: env, cwd: s.dir)
            defer { server.cleanUp() }
            let banner = try await Self.offPool { try server.waitForStderr(containing: "alerts to webhook") }
            guard let at = banner.range(of: "serving on http://127.0.0.1:"), let port = Int(banner[at.upperBound...].prefix { $0.isNumber }) else {
                Issue.record("no port in \(banner)"); return
            }
            #expect(banner.contains("webhook (http://127.0.0.1:\(r.port)/…) ≥ critical"))
            let post = try await Self.offPool {
                try ChildProcess.run(ServeAndMCPCommandTests.python, ["-c", """
                import sys, urllib.request
                body = open(sys.argv[2], 'rb').read()
                req = urllib.request.Request(sys.argv[1], data=body, headers={'Content-Type': 'text/plain'}, method='POST')
                print(urllib.request.urlopen(req).status)
                """, "http://127.0.0.1:\(port)/analyze", Self.sample.path], timeout: 60)
            }
            #expect(String(decoding: post.stdout, as: UTF8.self).contains("200"))
            let critical = try Self.expectedAlerts(s, atLeast: "critical")
            // Every critical one arrives (in one request or several), then nothing more.
            let deadline = Date().addingTimeInterval(30)
            while Self.alertIDs(r.requests).count < critical.count, Date() < deadline {
                _ = await r.waitFor(requests: r.requests.count + 1, timeout: 1)
            }
            await r.waitUntilQuiet(for: 0.5, timeout: 10)
            let ids = Self.alertIDs(r.requests)
            #expect(!critical.isEmpty && ids.count == critical.count && Set(ids) == critical, "the critical anomalies: \(ids) vs \(critical)")
            server.signal(SIGTERM)
            #expect(try await Self.offPool { try server.wait(timeout: 30) } == 0)
        }
    }

    @Test(.enabled(if: DashboardEndToEndTests.hasTmux, "tmux is not installed"), .timeLimit(.minutes(2)))
    func dashboardAlertsAsAttacksAppearAndShowsDelivery() async throws {
        try await FakeReceiver.with { r in
            let s = try Self.batchSetup()
            let log = s.dir.appendingPathComponent("live.log")
            FileManager.default.createFile(atPath: log.path, contents: Data("2026-03-06T09:59:00.000000+00:00 web-01 sshd[1]: Server listening on 0.0.0.0 port 22.\n".utf8))
            let session = "alerts\(getpid())"
            let hookURL = r.url("/hook")
            let cmd = "cd \(s.dir.path) && env -u NO_COLOR TRIPLINE_WEBHOOK_URL=\(hookURL) \(CLIRunner.binary.path) dashboard live.log --model-dir \(s.models) " +
                      "--themes-dir \(CLIRunner.projectRoot.appendingPathComponent("themes").path)"
            try await Self.offPool {
                try DashboardEndToEndTests.tmux("new-session", "-d", "-s", session, "-x", "110", "-y", "32", "env", "LANG=C.UTF-8", "TZ=UTC", "PS1=$ ", "bash", "--norc", "--noprofile")
                try DashboardEndToEndTests.tmux("send-keys", "-t", session, cmd, "Enter")
                _ = try DashboardEndToEndTests.waitFor(session) { $0.contains("Anomalies") && $0.contains("alerts: 0 sent") }
            }
            defer { _ = try? DashboardEndToEndTests.tmux("kill-session", "-t", session) }
            func burst(_ ip: String, minute: Int) throws {
                var lines = ""
                for i in 0..<20 {
                    lines += String(format: "2026-03-06T10:%02d:%02d.000000+00:00 web-01 sshd[%d]: Failed password for root from \(ip) port %d ssh2\n", minute, i, 500 + i, 40000 + i)
                }
                try DashboardEndToEndTests.append(log, lines)
            }
            try burst("203.0.113.45", minute: 0)
            #expect(await r.waitFor(requests: 1), "the brute force was alerted")
            let first = Self.alertIDs(r.requests)
            #expect(!first.isEmpty && first.allSatisfy { $0.hasSuffix(".high") || $0.hasSuffix(".critical") })
            #expect(r.requests.first?.text.contains("203.0.113.45") == true)
            let (sent, _) = try await Self.offPool { try DashboardEndToEndTests.waitFor(session) { $0.contains("alerts: \(first.count) sent") } }
            #expect(sent.contains("alerts: \(first.count) sent"), "\(sent)")

            // The receiver breaks: the dashboard says so, and what waits is kept at exit.
            r.script([], fallback: .status(500, body: "down"))
            try burst("198.51.100.7", minute: 5)
            let (failing, _) = try await Self.offPool { try DashboardEndToEndTests.waitFor(session, seconds: 15) { $0.contains("webhook: HTTP 500, 1 waiting") } }
            #expect(failing.contains("webhook: HTTP 500, 1 waiting"), "\(failing)")
            _ = try await Self.offPool {
                try DashboardEndToEndTests.tmux("send-keys", "-t", session, "q")
                return try DashboardEndToEndTests.waitFor(session, seconds: 15) { $0.contains("kept in") && $0.contains("$ ") }
            }
            // The screen is 110 columns wide: the command line wraps wherever the paths put it,
            // so the exit lines are read from the screen with wrapped lines joined.
            let joined = try await Self.offPool { try DashboardEndToEndTests.tmux("capture-pane", "-p", "-J", "-t", session) }
            #expect(joined.contains("1 alert not delivered yet, kept in"), "\(joined)")
            let exitLines = joined.components(separatedBy: "--themes-dir ").dropFirst().last ?? ""
            #expect(exitLines.contains("not delivered yet"), "the exit lines follow the command: \(joined)")
            #expect(!exitLines.contains("/hook"), "the webhook URL's path is not shown")
        }
    }
}

/// Used from one test at a time; the Dispatch hop only waits on it.
extension ChildProcess.Running: @unchecked Sendable {}
