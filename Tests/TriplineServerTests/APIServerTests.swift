import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing
import TriplineCore
import TriplineEngine
@testable import TriplineServer
import TriplineTestSupport

/// The REST API on a real loopback socket (Hummingbird's live test client): every route, auth
/// on and off, 400/401/404/405/413/429, uploads, metrics, and the OpenAPI document against the
/// routes.
@Suite struct APIServerTests {
    static let root: URL = {
        var u = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { u.deleteLastPathComponent() }
        return u
    }()
    static let sample = root.appendingPathComponent("test_logs/auth.log").path

    /// A model folder trained on the sample's first day (made once).
    static let modelDir: String = {
        let dir = TestFolders.path("tripline-api-model")
        var c = DetectionConfig()
        c.baselineDays = 1
        let (m, _) = Trainer(config: c).train(paths: [sample], reader: LogReader())
        try? m.save(to: dir)
        return dir
    }()

    static func emptyDir() -> String {
        let d = TestFolders.path("tripline-api")
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }

    /// A server on a free loopback port over the model folder, logging nothing.
    static func server(_ options: APIOptions, modelDir: String) -> (APIServer, AnalysisService, Logger) {
        var o = options
        o.host = "127.0.0.1"
        o.port = 0
        let service = AnalysisService(modelDirectory: modelDir)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return (APIServer(options: o, service: service, logger: logger), service, logger)
    }

    static func withServer(_ options: APIOptions = APIOptions(), modelDir: String = APIServerTests.modelDir,
                           _ body: @escaping @Sendable (any TestClientProtocol, AnalysisService) async throws -> Void) async throws {
        let (server, service, logger) = Self.server(options, modelDir: modelDir)
        let app = Application(router: server.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger)
        // In process, without a socket: the live client gives up after 20 s without a byte, which a
        // debug build analysing the sample on a machine with both cores busy can take (the
        // socket itself is tested with raw connections in HostileClientTests).
        try await app.test(.router) { client in try await body(client, service) }
    }

    static func json(_ r: TestResponse) throws -> JSONValue {
        try JSONParser.parse(String(buffer: r.body))
    }

    static func bruteForceRecords(_ n: Int = 12, ip: String = "203.0.113.45") -> String {
        let recs = (0..<n).map { i in
            #"{"timestamp": "2026-03-06T10:00:\#(String(format: "%02d", i))Z", "user": "root", "source_ip": "\#(ip)", "event_type": "login", "action": "failed", "message": "Failed password for root"}"#
        }
        return #"{"logs": [\#(recs.joined(separator: ","))]}"#
    }

    @Test func healthReadinessAndReload() async throws {
        let dir = Self.emptyDir()
        try await Self.withServer(modelDir: dir) { client, _ in
            let h = try await client.execute(uri: "/health", method: .get)
            #expect(h.status == .ok)
            let hj = try Self.json(h)
            #expect(hj["status"]?.scalarText == "ok" && hj["model_loaded"] == .bool(false) && hj["version"]?.scalarText == TriplineBuild.version)
            #expect(try await client.execute(uri: "/health/live", method: .get).status == .ok)
            let notReady = try await client.execute(uri: "/health/ready", method: .get)
            #expect(notReady.status == .serviceUnavailable)
            #expect(try Self.json(notReady)["reason"]?.scalarText?.contains("tripline train") == true)
            // No model file yet: reload is refused and says why, without the server's paths.
            let refused = try await client.execute(uri: "/model/reload", method: .post)
            #expect(refused.status == .conflict)
            #expect(!(String(buffer: refused.body).contains(dir)))
            // A model appears; reload picks it up and the server is ready.
            try FileManager.default.copyItem(atPath: Self.modelDir + "/model.json", toPath: dir + "/model.json")
            let reloaded = try await client.execute(uri: "/model/reload", method: .post)
            #expect(reloaded.status == .ok)
            #expect(try Self.json(reloaded)["model"]?["trained_events"]?.numberValue ?? 0 > 0)
            #expect(try await client.execute(uri: "/health/ready", method: .get).status == .ok)
        }
    }

    @Test func analyzeRecordsAndRawLines() async throws {
        try await Self.withServer { client, service in
            let r = try await client.execute(uri: "/analyze", method: .post, headers: [.contentType: "application/json"],
                                             body: ByteBuffer(string: Self.bruteForceRecords()))
            #expect(r.status == .ok)
            let doc = try Self.json(r)
            #expect(doc["events_analyzed"]?.numberValue == 12)
            #expect(doc["anomalies_detected"]?.numberValue == 1)
            guard case .array(let list)? = doc["anomalies"], let a = list.first else { Issue.record("no anomalies"); return }
            #expect(a["kind"]?.scalarText == "brute_force" && a["source_ip"]?.scalarText == "203.0.113.45")
            #expect(a["evidence"]?["locations"].map { "\($0)" }?.contains("request:1") == true)
            #expect(service.stats.eventsAnalyzed == 12)

            // Raw syslog lines as text/plain: the same engine.
            let lines = (0..<10).map { "2026-03-06T11:00:\(String(format: "%02d", $0))+00:00 web-01 sshd[7\($0)]: Failed password for invalid user admin\($0) from 198.51.100.9 port 4\($0)000 ssh2" }
            let t = try await client.execute(uri: "/analyze", method: .post, headers: [.contentType: "text/plain"],
                                             body: ByteBuffer(string: lines.joined(separator: "\n")))
            #expect(t.status == .ok)
            let td = try Self.json(t)
            #expect(td["events_analyzed"]?.numberValue == 10)
            #expect("\(td["anomalies"] ?? .null)".contains("user_enumeration"))

            // min_severity filters; a bad one is a 400 naming it.
            let high = try await client.execute(uri: "/analyze?min_severity=critical", method: .post, headers: [.contentType: "application/json"],
                                                body: ByteBuffer(string: Self.bruteForceRecords()))
            #expect(try Self.json(high)["anomalies_detected"]?.numberValue == 0)
            let badSev = try await client.execute(uri: "/analyze?min_severity=urgent", method: .post, headers: [.contentType: "application/json"],
                                                  body: ByteBuffer(string: Self.bruteForceRecords()))
            #expect(badSev.status == .badRequest && String(buffer: badSev.body).contains("min_severity"))
        }
    }

    @Test func malformedBodiesAreFourHundredsThatSayWhere() async throws {
        try await Self.withServer { client, _ in
            let cases: [(String, String)] = [
                ("{\"logs\": [", "not valid JSON"),
                ("{\"events\": []}", "\"logs\""),
                ("{\"logs\": 5}", "logs: must be an array"),
                ("{\"logs\": [{\"timestamp\": \"2026-03-06T10:00:00Z\"}, 7]}", "logs[1]: must be an object"),
                ("{\"logs\": [{\"timestamp\": \"yesterday\", \"user\": \"x\"}]}", "logs[0].timestamp"),
                ("{\"logs\": [{\"user\": \"x\"}]}", "logs[0].timestamp"),
                ("{\"logs\": [{\"timestamp\": 1.8e44}]}", "logs[0].timestamp"), // once a crash, found by schemathesis
                ("{\"logs\": [{\"timestamp\": \"2026-03-06T10:00:00Z\", \"user\": 42}]}", "logs[0].user: must be a string"),
            ]
            for (body, expected) in cases {
                let r = try await client.execute(uri: "/analyze", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: body))
                #expect(r.status == .badRequest, "\(body)")
                let j = try Self.json(r)
                #expect(j["error"]?.scalarText?.contains(expected) == true, "\(body) → \(j)")
                #expect(j["status"]?.numberValue == 400)
            }
            // Nothing to analyse is not a mistake: an empty answer.
            let empty = try await client.execute(uri: "/analyze", method: .post, headers: [.contentType: "text/plain"], body: ByteBuffer())
            #expect(empty.status == .ok)
            #expect(try Self.json(empty)["events_analyzed"]?.numberValue == 0)
            // A given but empty filter value is a mistake.
            let emptySev = try await client.execute(uri: "/analyze?min_severity=", method: .post, headers: [.contentType: "text/plain"], body: ByteBuffer())
            #expect(emptySev.status == .badRequest)
        }
    }

    @Test func uploadsMultipartAndRawAndTheBodyLimit() async throws {
        let sample = try Data(contentsOf: URL(fileURLWithPath: Self.sample))
        try await Self.withServer { client, _ in
            let boundary = "----tripline\(UUID().uuidString)"
            var body = Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"../../etc/auth.log\"\r\nContent-Type: text/plain\r\n\r\n".utf8)
            body.append(sample)
            body.append(Data("\r\n--\(boundary)--\r\n".utf8))
            let r = try await client.execute(uri: "/analyze/file", method: .post, headers: [.contentType: "multipart/form-data; boundary=\(boundary)"],
                                             body: ByteBuffer(bytes: [UInt8](body)))
            #expect(r.status == .ok)
            let doc = try Self.json(r)
            #expect(doc["events_analyzed"]?.numberValue ?? 0 > 5000)
            #expect(doc["anomalies_detected"]?.numberValue ?? 0 >= 5)
            // The client's file name is kept as a base name only.
            #expect(String(buffer: r.body).contains("\"auth.log:") && !String(buffer: r.body).contains("../"))

            // The same file as the raw body.
            let raw = try await client.execute(uri: "/analyze/file", method: .post, headers: [.contentType: "application/octet-stream"], body: ByteBuffer(bytes: [UInt8](sample)))
            #expect(try Self.json(raw)["events_analyzed"] == doc["events_analyzed"])

            // A large upload: 8 MB (the sample, then 1 KiB lines that are quick to pass over, so
            // that a loaded machine answers a debug build within the live test client's 20 s
            // without a byte: at 20 MB a CI run in parallel with the other suites timed out).
            var big = Data(sample)
            let filler = Data((String(repeating: "#", count: 1023) + "\n").utf8)
            let fillers = ((8 << 20) - sample.count) / filler.count
            for _ in 0..<fillers { big.append(filler) }
            let large = try await client.execute(uri: "/analyze/file", method: .post, headers: [.contentType: "text/plain"], body: ByteBuffer(bytes: [UInt8](big)))
            #expect(large.status == .ok)
            #expect(try Self.json(large)["lines_read"]?.numberValue ?? 0 >= Double(fillers + 5000))
            #expect(try Self.json(large)["events_analyzed"] == doc["events_analyzed"])

            let noFile = try await client.execute(uri: "/analyze/file", method: .post, headers: [.contentType: "multipart/form-data; boundary=\(boundary)"],
                                                  body: ByteBuffer(string: "--\(boundary)\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n--\(boundary)--\r\n"))
            #expect(noFile.status == .badRequest && String(buffer: noFile.body).contains("curl -F file=@"))

            // Two files in one body: refused, not the first analysed and the second dropped.
            var two = Data()
            for n in ["a.log", "b.log"] {
                two.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(n)\"\r\nContent-Type: text/plain\r\n\r\n".utf8))
                two.append(sample)
                two.append(Data("\r\n".utf8))
            }
            two.append(Data("--\(boundary)--\r\n".utf8))
            let twoFiles = try await client.execute(uri: "/analyze/file", method: .post, headers: [.contentType: "multipart/form-data; boundary=\(boundary)"],
                                                    body: ByteBuffer(bytes: [UInt8](two)))
            #expect(twoFiles.status == .badRequest && String(buffer: twoFiles.body).contains("2 files"), "\(String(buffer: twoFiles.body))")
        }
        var small = APIOptions()
        small.maxBodyBytes = 64 << 10
        try await Self.withServer(small) { client, _ in
            let r = try await client.execute(uri: "/analyze/file", method: .post, headers: [.contentType: "text/plain"], body: ByteBuffer(bytes: [UInt8](sample)))
            #expect(r.status == .contentTooLarge)
            #expect(try Self.json(r)["status"]?.numberValue == 413)
        }
    }

    @Test func anomaliesAreKeptAndFiltered() async throws {
        try await Self.withServer { client, _ in
            _ = try await client.execute(uri: "/analyze/file", method: .post, headers: [.contentType: "text/plain"],
                                         body: ByteBuffer(bytes: [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.sample)))))
            let all = try Self.json(try await client.execute(uri: "/anomalies?limit=1000", method: .get))
            guard case .array(let list)? = all["anomalies"] else { Issue.record("no list"); return }
            #expect(list.count >= 5 && all["count"]?.numberValue == Double(list.count))
            let bf = try Self.json(try await client.execute(uri: "/anomalies?kind=brute_force", method: .get))
            guard case .array(let bfList)? = bf["anomalies"] else { Issue.record("no list"); return }
            #expect(!bfList.isEmpty && bfList.allSatisfy { $0["kind"]?.scalarText == "brute_force" })
            let crit = try Self.json(try await client.execute(uri: "/anomalies?severity=critical&limit=2", method: .get))
            guard case .array(let critList)? = crit["anomalies"] else { Issue.record("no list"); return }
            let criticalKept = list.filter { $0["severity"]?.scalarText == "critical" }.count
            #expect(criticalKept >= 1, "the sample has critical anomalies")
            #expect(critList.count == min(2, criticalKept) && critList.allSatisfy { $0["severity"]?.scalarText == "critical" })
            let ip = bfList[0]["source_ip"]?.scalarText ?? ""
            let byIP = try Self.json(try await client.execute(uri: "/anomalies?source_ip=\(ip)", method: .get))
            guard case .array(let ipList)? = byIP["anomalies"] else { Issue.record("no list"); return }
            #expect(!ipList.isEmpty && ipList.allSatisfy { $0["source_ip"]?.scalarText == ip })
            let future = try Self.json(try await client.execute(uri: "/anomalies?since=2030-01-01T00:00:00Z", method: .get))
            #expect(future["count"]?.numberValue == 0)

            for bad in ["severity=urgent", "kind=nope", "since=yesterday", "limit=0", "limit=abc", "until=", "severity="] {
                let r = try await client.execute(uri: "/anomalies?\(bad)", method: .get)
                #expect(r.status == .badRequest, "\(bad)")
                #expect(String(buffer: r.body).contains(String(bad.split(separator: "=")[0])))
            }
            let id = bfList[0]["id"]?.scalarText ?? ""
            let one = try await client.execute(uri: "/anomalies/\(id)", method: .get)
            #expect(one.status == .ok)
            let oj = try Self.json(one)
            #expect(oj["anomaly"]?["id"]?.scalarText == id)
            #expect("\(oj["baseline"] ?? .null)".contains("source \(ip)"))
            #expect(try await client.execute(uri: "/anomalies/TL-nope", method: .get).status == .notFound)

            let stats = try Self.json(try await client.execute(uri: "/stats", method: .get))
            #expect(stats["analyses"]?.numberValue == 1 && stats["anomalies_kept"]?.numberValue == Double(list.count))
            #expect(stats["model"]?["trained_events"]?.numberValue ?? 0 > 0)
        }
    }

    @Test func bearerTokenGuardsAllButHealthMetricsAndDocs() async throws {
        var o = APIOptions()
        o.token = "s3cret-token"
        try await Self.withServer(o) { client, _ in
            for open in ["/health", "/health/live", "/health/ready", "/metrics", "/openapi.json", "/docs"] {
                #expect(try await client.execute(uri: open, method: .get).status == .ok, "\(open)")
            }
            let missing = try await client.execute(uri: "/stats", method: .get)
            #expect(missing.status == .unauthorized && missing.headers[.wwwAuthenticate] != nil)
            let wrong = try await client.execute(uri: "/stats", method: .get, headers: [.authorization: "Bearer s3cret-tokeN"])
            #expect(wrong.status == .unauthorized)
            #expect(!String(buffer: wrong.body).contains("s3cret"), "the token never appears in answers")
            let shortToken = try await client.execute(uri: "/stats", method: .get, headers: [.authorization: "Bearer s3cret"])
            #expect(shortToken.status == .unauthorized)
            let ok = try await client.execute(uri: "/stats", method: .get, headers: [.authorization: "Bearer s3cret-token"])
            #expect(ok.status == .ok)
            let post = try await client.execute(uri: "/analyze", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: Self.bruteForceRecords()))
            #expect(post.status == .unauthorized)
        }
        #expect(BearerAuthMiddleware.constantTimeEqual(Array("abc".utf8), Array("abc".utf8)))
        #expect(!BearerAuthMiddleware.constantTimeEqual(Array("abc".utf8), Array("abd".utf8)))
        #expect(!BearerAuthMiddleware.constantTimeEqual(Array("abc".utf8), Array("abcd".utf8)))
    }

    @Test func refusesToListenBeyondLoopbackWithoutAToken() {
        var o = APIOptions()
        o.host = "0.0.0.0"
        #expect(o.problem()?.contains("TRIPLINE_API_TOKEN") == true)
        o.token = "t"
        #expect(o.problem() == nil)
        o.host = "127.0.0.1"
        o.token = nil
        #expect(o.problem() == nil)
        #expect(APIOptions.isLoopback("::1") && APIOptions.isLoopback("localhost") && !APIOptions.isLoopback("10.0.0.1"))
    }

    @Test func rateLimitAnswers429WithRetryAfter() async throws {
        var o = APIOptions()
        o.rateLimitPerMinute = 3
        // A clock that stands still: however slow the machine, no token comes back between the
        // requests (the suite once took 108 s, and the minute had passed before the fourth).
        o.clock = { 1_768_039_200 }
        try await Self.withServer(o) { client, _ in
            for _ in 0..<3 { #expect(try await client.execute(uri: "/stats", method: .get).status == .ok) }
            let limited = try await client.execute(uri: "/stats", method: .get)
            #expect(limited.status == .tooManyRequests)
            #expect(Int(limited.headers[.retryAfter] ?? "") ?? 0 >= 1)
            // Probes and scrapes are not counted.
            #expect(try await client.execute(uri: "/health", method: .get).status == .ok)
            #expect(try await client.execute(uri: "/metrics", method: .get).status == .ok)
        }
    }

    @Test func unknownRoutesAndMethods() async throws {
        try await Self.withServer { client, _ in
            let nf = try await client.execute(uri: "/nope", method: .get)
            #expect(nf.status == .notFound && String(buffer: nf.body).contains("openapi.json"))
            let wrong = try await client.execute(uri: "/analyze", method: .get)
            #expect(wrong.status == .methodNotAllowed && wrong.headers[.allow] == "POST")
        }
    }

    @Test func metricsCountRequestsEventsAndAnomalies() async throws {
        try await Self.withServer { client, _ in
            _ = try await client.execute(uri: "/analyze", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: Self.bruteForceRecords()))
            _ = try await client.execute(uri: "/analyze", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: "{"))
            let m = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
            #expect(m.contains(#"tripline_http_requests_total{route="/analyze",method="POST",status="200"} 1"#), "\(m)")
            #expect(m.contains(#"tripline_http_requests_total{route="/analyze",method="POST",status="400"} 1"#))
            #expect(m.contains("tripline_events_analyzed_total 12"))
            #expect(m.contains(#"tripline_anomalies_total{severity="#) && m.contains(#"kind="brute_force"}"#))
            #expect(m.contains("tripline_http_request_duration_seconds_bucket"))
            #expect(m.contains("tripline_model_loaded 1") && m.contains("tripline_model_age_seconds"))
        }
    }

    @Test func openAPIDescribesEveryRouteAndTheEnums() async throws {
        let doc = try JSONParser.parse(OpenAPIDocument.json)
        #expect(doc["openapi"]?.scalarText == "3.1.0")
        #expect(doc["info"]?["version"]?.scalarText == TriplineBuild.version)
        guard case .object(let paths)? = doc["paths"] else { Issue.record("no paths"); return }
        var documented = Set<String>()
        for (path, item) in paths { if case .object(let ops) = item { for m in ops.keys { documented.insert("\(m.uppercased()) \(path)") } } }
        #expect(documented == Set(APIServer.routes.map { "\($0.method) \($0.path)" }))
        let kinds = doc["components"]?["schemas"]?["Anomaly"]?["properties"]?["kind"]?["enum"]
        #expect(kinds == .array(AnomalyKind.allCases.map { .string($0.rawValue) }))
        let sev = doc["components"]?["schemas"]?["Anomaly"]?["properties"]?["severity"]?["enum"]
        #expect(sev == .array(Severity.allCases.map { .string($0.rawValue) }))
        try await Self.withServer { client, _ in
            let served = try await client.execute(uri: "/openapi.json", method: .get)
            #expect(try Self.json(served) == doc)
            let docs = String(buffer: try await client.execute(uri: "/docs", method: .get).body)
            #expect(docs.contains("openapi.json") && !docs.contains("http://") && !docs.contains("https://"), "the docs page works offline")
        }
    }
}
