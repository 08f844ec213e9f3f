import Foundation
import Logging
import Synchronization
import Testing
import TriplineCore
import TriplineEngine
@testable import TriplineServer
#if canImport(Glibc)
import Glibc
import TriplineTestSupport
#endif

/// Clients that do not play fair, against the real server (``APIServer/run(onRunning:)``, its
/// timeouts and queue) on a loopback port, spoken to over raw sockets so that every byte and
/// header is the test's choice: slow headers, trickled bodies, foreign Host and Origin headers,
/// heavy requests while health is probed, and auth on every route.
@Suite(.serialized) struct HostileClientTests {
    /// Runs the real server with `options` on a free loopback port for `body`.
    static func withRunningServer(_ options: APIOptions, modelDir: String = APIServerTests.modelDir,
                                  _ body: @escaping @Sendable (Int, APIServer) async throws -> Void) async throws {
        let (server, _, _) = APIServerTests.server(options, modelDir: modelDir)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let task = Task { try await server.run { port in continuation.yield(port) } }
        var it = ports.makeAsyncIterator()
        guard let port = await it.next() else { throw RawHTTP.Failure(message: "the server did not start") }
        defer { task.cancel() }
        try await body(port, server)
    }

    @Test func withoutATokenOnlyLoopbackNamesAndSameSiteOriginsAreServed() async throws {
        try await Self.withRunningServer(APIOptions()) { port, _ in
            let body = "2026-03-06T10:00:00Z web sshd[1]: Failed password for root from 203.0.113.9 port 1 ssh2\n"
            let cases: [(headers: [String], status: Int, why: String)] = [
                (["Host: 127.0.0.1:\(port)"], 200, "the loopback address"),
                (["Host: localhost:\(port)"], 200, "localhost"),
                (["Host: localhost"], 200, "localhost without a port"),
                (["Host: [::1]:\(port)"], 200, "IPv6 loopback"),
                (["Host: attacker.example:\(port)"], 403, "a DNS-rebinding name"),
                (["Host: 127.0.0.1.attacker.example"], 403, "a name that starts like loopback"),
                (["Host: 127.0.0.1:\(port)", "Origin: http://attacker.example"], 403, "a cross-site page"),
                (["Host: 127.0.0.1:\(port)", "Origin: null"], 403, "a sandboxed or file page"),
                (["Host: 127.0.0.1:\(port)", "Origin: http://localhost:\(port)"], 200, "the same site"),
                (["Host: 127.0.0.1:\(port)", "Sec-Fetch-Site: cross-site"], 403, "a browser's cross-site mark"),
            ]
            for c in cases {
                let r = try await RawHTTP.request(port: port, "POST /analyze HTTP/1.1", headers: c.headers + ["Content-Type: text/plain"], body: body)
                #expect(r.status == c.status, "\(c.why): \(c.headers) → \(r.status) \(r.body.prefix(200))")
            }
        }
    }

    @Test func withATokenEveryRouteButTheOpenOnesNeedsIt() async throws {
        var o = APIOptions()
        o.token = "s3cret-token"
        let dir = TestFolders.path("tripline-nomodel")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try await Self.withRunningServer(o, modelDir: dir) { port, _ in
            for (method, path) in APIServer.routes {
                let p = path.replacingOccurrences(of: "{id}", with: "TL-0000000000000000")
                let open = BearerAuthMiddleware.isOpen(p)
                let without = try await RawHTTP.request(port: port, "\(method) \(p) HTTP/1.1", headers: ["Host: attacker.example"], body: method == "POST" ? "" : nil)
                if open {
                    #expect(without.status != 401, "\(method) \(p) is open")
                    #expect(!without.body.contains(dir), "\(method) \(p) tells no server paths: \(without.body.prefix(300))")
                } else {
                    #expect(without.status == 401, "\(method) \(p) without the token → \(without.status)")
                }
                let wrong = try await RawHTTP.request(port: port, "\(method) \(p) HTTP/1.1", headers: ["Authorization: Bearer s3cret-tokeN"], body: method == "POST" ? "" : nil)
                #expect(open ? wrong.status != 401 : wrong.status == 401, "\(method) \(p) with a wrong token → \(wrong.status)")
                let with = try await RawHTTP.request(port: port, "\(method) \(p) HTTP/1.1", headers: ["Authorization: Bearer s3cret-token"], body: method == "POST" ? "" : nil)
                #expect(with.status != 401 && with.status != 403, "\(method) \(p) with the token → \(with.status)")
            }
        }
    }

    @Test func slowHeadersAndTrickledBodiesAreCutOff() async throws {
        var o = APIOptions()
        o.idleTimeoutSeconds = 1
        o.bodyTimeoutSeconds = 2
        try await Self.withRunningServer(o) { port, _ in
            // Headers that never finish: the connection is closed, not kept.
            let slow = try RawHTTP.Connection(port: port)
            try slow.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            #expect(try await RawHTTP.blocking { slow.waitForClose(seconds: 20) }, "a connection with unfinished headers is closed after the idle timeout")
            // An idle keep-alive connection after a request is closed too.
            let idle = try RawHTTP.Connection(port: port)
            try idle.send("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            #expect(try await RawHTTP.blocking { idle.waitForClose(seconds: 20) }, "an idle connection is closed")
            // A body trickled a byte at a time: 408 once the body timeout has passed.
            let trickle = try RawHTTP.Connection(port: port)
            try trickle.send("POST /analyze HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n")
            let answer = try await RawHTTP.blocking { () -> String in
                for _ in 0..<60 {
                    try? trickle.send("x")
                    if let got = trickle.receive(waitingMilliseconds: 400), !got.isEmpty { return got }
                }
                return ""
            }
            #expect(answer.hasPrefix("HTTP/1.1 408"), "a trickled body is answered 408: \(answer.prefix(120))")
        }
    }

    /// A flood of client addresses keeps the rate limiter's table bounded, and a client's own
    /// limit still holds after it.
    @Test func theRateLimiterStaysBoundedUnderAnAddressFlood() {
        let limiter = RateLimiter(perMinute: 3)
        var largest = 0
        for i in 0..<(RateLimiter.hardLimit + 50_000) {
            _ = limiter.take("10.\(i >> 16).\((i >> 8) & 255).\(i & 255)", now: 1000 + Double(i) / 10_000)
            largest = max(largest, limiter.clients)
        }
        #expect(largest <= RateLimiter.hardLimit + 1)
        let now = 5000.0
        #expect((0..<3).allSatisfy { _ in limiter.take("192.0.2.1", now: now) == nil })
        #expect(limiter.take("192.0.2.1", now: now) != nil, "the fourth request in the minute waits")
    }

    /// With every analysis worker busy and the queue full, another analysis is told to come back
    /// (503, Retry-After), and health keeps answering while more analyses block than the
    /// machine has cores (they run on the queue's threads, not the cooperative pool the
    /// server's handlers need). Deterministic: the test holds the workers itself.
    @Test func aFullQueueRefusesAndHealthStaysUp() async throws {
        var o = APIOptions()
        o.analysisWorkers = 4
        o.analysisWaiting = 0
        o.rateLimitPerMinute = 0
        try await Self.withRunningServer(o) { port, server in
            let gate = DispatchSemaphore(value: 0)
            let started = DispatchSemaphore(value: 0)
            let tickets = try (0..<4).map { _ in try server.queue.admit() }
            let held = tickets.map { t in
                Task {
                    await t.run {
                        started.signal()
                        gate.wait()
                    }
                    t.release()
                }
            }
            for _ in 0..<4 { try await RawHTTP.blocking { started.wait() } }
            let line = "2026-03-06T10:00:00Z web sshd[1]: Failed password for root from 203.0.113.9 port 1 ssh2\n"
            let refused = try await RawHTTP.request(port: port, "POST /analyze HTTP/1.1", headers: ["Content-Type: text/plain"], body: line)
            #expect(refused.status == 503 && refused.headers["retry-after"] != nil, "a full queue answers 503 with Retry-After: \(refused.status) \(refused.headers)")
            var answered = 0
            for _ in 0..<5 {
                let h = try await RawHTTP.request(port: port, "GET /health HTTP/1.1", headers: [], body: nil, timeout: 30)
                if h.status == 200 { answered += 1 }
            }
            #expect(answered == 5, "health answered \(answered) of 5 times with every worker blocked")
            for _ in 0..<4 { gate.signal() }
            for h in held { await h.value }
            let after = try await RawHTTP.request(port: port, "POST /analyze HTTP/1.1", headers: ["Content-Type: text/plain"], body: line)
            #expect(after.status == 200, "the queue takes analyses again once its workers are free")
        }
    }

    /// Slow uploads hold connections, not analyses: with more clients each sending a part of
    /// a body than there are workers and waiting places, a complete request is still served.
    @Test func slowUploadsDoNotHoldAnalysisSlots() async throws {
        var o = APIOptions()
        o.analysisWorkers = 2
        o.analysisWaiting = 1
        o.rateLimitPerMinute = 0
        try await Self.withRunningServer(o) { port, _ in
            var slow: [RawHTTP.Connection] = []
            for _ in 0..<9 {
                let c = try RawHTTP.Connection(port: port)
                try c.send("POST /analyze/file HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\nx")
                slow.append(c)
            }
            let line = "2026-03-06T10:00:00Z web sshd[1]: Failed password for root from 203.0.113.9 port 1 ssh2\n"
            for path in ["/analyze", "/analyze/file"] {
                let r = try await RawHTTP.request(port: port, "POST \(path) HTTP/1.1", headers: ["Content-Type: text/plain"], body: line)
                #expect(r.status == 200, "\(path) with nine slow uploads under way: \(r.status) \(r.body.prefix(200))")
            }
            withExtendedLifetime(slow) {}
        }
    }

    /// A client that goes away before its body is in is no server error: the request is
    /// counted as nginx's 499, not 500.
    @Test func aClientGoneBeforeItsBodyIsNotAServerError() async throws {
        var o = APIOptions()
        o.rateLimitPerMinute = 0
        try await Self.withRunningServer(o) { port, _ in
            try await RawHTTP.blocking {
                let c = try RawHTTP.Connection(port: port)
                try c.send("POST /analyze HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\npart of a body")
            }
            // (The connection is closed as it goes out of scope.) Wait for the server to count it.
            var metrics = ""
            for _ in 0..<600 {
                metrics = try await RawHTTP.request(port: port, "GET /metrics HTTP/1.1", headers: [], body: nil).body
                if metrics.contains(#"route="/analyze",method="POST""#) { break }
                try await Task.sleep(nanoseconds: 100_000_000)
            }
            #expect(metrics.contains(#"route="/analyze",method="POST",status="499""#), "\(metrics.split(separator: "\n").filter { $0.contains("analyze") })")
            #expect(!metrics.contains(#"route="/analyze",method="POST",status="500""#))
        }
    }

    /// A body the server cannot read is the client's fault: a malformed chunk size is a 400.
    @Test func aMalformedChunkIsABadRequest() async throws {
        try await Self.withRunningServer(APIOptions()) { port, _ in
            let r = try await RawHTTP.blocking {
                let c = try RawHTTP.Connection(port: port)
                try c.send("POST /analyze HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nZZ\r\nabc\r\n0\r\n\r\n")
                return try c.readResponse(timeout: 60)
            }
            #expect(r.status == 400, "\(r.status) \(r.body.prefix(300))")
        }
    }

    /// Two real heavy analyses at once, while health is probed: both answer.
    @Test func heavyAnalysesRunWhileHealthAnswers() async throws {
        var o = APIOptions()
        o.rateLimitPerMinute = 0
        var rng = SplitMix64(seed: 9)
        var text = ""
        for i in 0..<20_000 {
            let t = Timestamp(microseconds: 1_768_039_200_000_000 + Int64(i) * 20_000)
            text += "\(t.iso8601) web sshd[\(i)]: Failed password for invalid user u\(rng.next() % 1_000_000) from 198.51.100.\(i % 250) port \(i % 60000) ssh2\n"
        }
        let heavy = text
        try await Self.withRunningServer(o) { port, _ in
            let results = Results()
            let slow = (0..<2).map { _ in
                Task {
                    let r = try await RawHTTP.request(port: port, "POST /analyze HTTP/1.1", headers: ["Content-Type: text/plain"], body: heavy, timeout: 600)
                    results.statuses.withLock { $0.append(r.status) }
                }
            }
            var answered = 0
            while results.done < 2, answered < 100 {
                let h = try await RawHTTP.request(port: port, "GET /health HTTP/1.1", headers: [], body: nil, timeout: 30)
                if h.status == 200 { answered += 1 }
            }
            for t in slow { try await t.value }
            #expect(results.statuses.withLock { $0 } == [200, 200])
            #expect(answered >= 1)
        }
    }
}

/// What the slow requests got.
final class Results: Sendable {
    let statuses = Mutex([Int]())
    var done: Int { statuses.withLock { $0.count } }
}

/// A minimal HTTP/1.1 client over a raw socket: the test decides every byte.
enum RawHTTP {
    struct Failure: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    struct Response {
        var status: Int
        var headers: [String: String]
        var body: String
    }

    final class Connection: @unchecked Sendable {
        let fd: Int32

        init(port: Int) throws {
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw Failure(message: "socket: \(String(cString: strerror(errno)))") }
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = in_port_t(UInt16(port).bigEndian)
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            let ok = withUnsafePointer(to: &addr) { p in
                p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard ok == 0 else {
                close(fd)
                throw Failure(message: "connect: \(String(cString: strerror(errno)))")
            }
        }

        deinit { close(fd) }

        func send(_ s: String) throws {
            var bytes = Array(s.utf8)[...]
            while !bytes.isEmpty {
                let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                guard n > 0 else { throw Failure(message: "send: \(String(cString: strerror(errno)))") }
                bytes = bytes.dropFirst(n)
            }
        }

        /// What arrives within `waitingMilliseconds` (nil when nothing did; "" when closed).
        func receive(waitingMilliseconds: Int32) -> String? {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, waitingMilliseconds) > 0 else { return nil }
            var buf = [UInt8](repeating: 0, count: 65536)
            let n = recv(fd, &buf, buf.count, 0)
            return n <= 0 ? "" : String(decoding: buf[0..<n], as: UTF8.self)
        }

        /// Whether the server closes the connection within `seconds` (reading what it sends).
        func waitForClose(seconds: Int) -> Bool {
            let end = Date().addingTimeInterval(Double(seconds))
            while Date() < end {
                if let got = receive(waitingMilliseconds: 200), got.isEmpty { return true }
            }
            return false
        }

        /// Reads one response (by Content-Length, or to the close).
        func readResponse(timeout: Int) throws -> Response {
            var data = ""
            let end = Date().addingTimeInterval(Double(timeout))
            while Date() < end {
                if let head = data.range(of: "\r\n\r\n") {
                    let headerText = data[..<head.lowerBound]
                    var headers: [String: String] = [:]
                    for line in headerText.split(separator: "\r\n").dropFirst() {
                        if let c = line.firstIndex(of: ":") {
                            headers[line[..<c].lowercased()] = line[line.index(after: c)...].trimmingCharacters(in: .whitespaces)
                        }
                    }
                    let status = Int(headerText.split(separator: " ").dropFirst().first ?? "") ?? 0
                    let body = String(data[head.upperBound...])
                    if let len = headers["content-length"].flatMap(Int.init), body.utf8.count >= len {
                        return Response(status: status, headers: headers, body: body)
                    }
                }
                guard let got = receive(waitingMilliseconds: 200) else { continue }
                if got.isEmpty { break }
                data += got
            }
            guard let head = data.range(of: "\r\n\r\n") else { throw Failure(message: "no response (got \(data.prefix(100)))") }
            let status = Int(data[..<head.lowerBound].split(separator: " ").dropFirst().first ?? "") ?? 0
            return Response(status: status, headers: [:], body: String(data[head.upperBound...]))
        }
    }

    /// Sends one request on a new connection and reads the response, on a thread of its own:
    /// blocking socket calls must not hold the cooperative threads the server in this same
    /// process needs. `Host` defaults to 127.0.0.1 when `headers` names none.
    static func request(port: Int, _ requestLine: String, headers: [String], body: String?, timeout: Int = 60) async throws -> Response {
        try await withCheckedThrowingContinuation { c in
            DispatchQueue.global().async {
                c.resume(with: Result { try blockingRequest(port: port, requestLine, headers: headers, body: body, timeout: timeout) })
            }
        }
    }

    /// Blocks on GCD threads, never in a task (see ``blocking(_:)``).
    static func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { c in
            DispatchQueue.global().async { c.resume(with: Result { try work() }) }
        }
    }

    static func blockingRequest(port: Int, _ requestLine: String, headers: [String], body: String?, timeout: Int) throws -> Response {
        let c = try RawHTTP.Connection(port: port)
        var h = headers
        if !h.contains(where: { $0.lowercased().hasPrefix("host:") }) { h.append("Host: 127.0.0.1:\(port)") }
        if let body { h.append("Content-Length: \(body.utf8.count)") }
        h.append("Connection: close")
        try c.send(requestLine + "\r\n" + h.joined(separator: "\r\n") + "\r\n\r\n" + (body ?? ""))
        return try c.readResponse(timeout: timeout)
    }
}
