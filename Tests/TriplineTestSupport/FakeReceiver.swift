import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// A real HTTP server on loopback standing in for Slack, Splunk HEC, Elasticsearch or a
/// webhook: records every request and answers from a script (a status and body, or a hang).
public final class FakeReceiver: Sendable {
    /// One scripted answer.
    public enum Reply: Sendable {
        case status(Int, body: String = "", headers: [String: String] = [:])
        /// Never answer (until the receiver stops).
        case hang
    }

    /// A request as received.
    public struct Recorded: Sendable {
        public var method: String
        public var path: String
        public var headers: [String: String]
        public var body: [UInt8]
        public var text: String { String(decoding: body, as: UTF8.self) }
        /// A header's value, by case-insensitive name.
        public func header(_ name: String) -> String? { headers[name.lowercased()] }
    }

    struct State {
        var script: [Reply] = []
        var fallback: Reply = .status(200, body: "ok")
        var recorded: [Recorded] = []
        var port = 0
        var stopped = false
        var answer: (@Sendable (Recorded) -> Reply?)?
    }

    let state = Mutex(State())

    public init() {}

    /// The port it listens on.
    public var port: Int { state.withLock { $0.port } }
    /// `http://127.0.0.1:<port>` plus `path`.
    public func url(_ path: String = "") -> String { "http://127.0.0.1:\(port)\(path)" }
    /// Requests received so far.
    public var requests: [Recorded] { state.withLock { $0.recorded } }

    /// The next answers, in order; after them, `fallback`.
    public func script(_ replies: [Reply], fallback: Reply = .status(200, body: "ok")) {
        state.withLock { $0.script = replies; $0.fallback = fallback }
    }

    /// Answers computed from the request (nil falls through to the script).
    public func answer(with f: @escaping @Sendable (Recorded) -> Reply?) {
        state.withLock { $0.answer = f }
    }

    /// Waits until `n` requests have arrived (or `timeout` seconds pass); true if they did.
    public func waitFor(requests n: Int, timeout: Double = 120) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if requests.count >= n { return true }
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
        return requests.count >= n
    }

    /// Waits until no request has arrived for `quiet` seconds (or `timeout` seconds pass): a
    /// sender that gave up waiting may still have a request on its way, and a loaded machine
    /// can record it late.
    public func waitUntilQuiet(for quiet: Double = 1, timeout: Double = 30) async {
        let deadline = Date().addingTimeInterval(timeout)
        var count = requests.count
        var since = Date()
        while Date() < deadline {
            try? await Task.sleep(nanoseconds: 50_000_000)
            let now = requests.count
            if now != count { count = now; since = Date() } else if Date().timeIntervalSince(since) >= quiet { return }
        }
    }

    /// Runs a receiver for the duration of `body`.
    public static func with<T: Sendable>(_ body: @Sendable (FakeReceiver) async throws -> T) async throws -> T {
        let r = FakeReceiver()
        let router = Router()
        let handler: @Sendable (Request, BasicRequestContext) async throws -> Response = { req, _ in
            let buf = try await req.body.collect(upTo: 64 << 20)
            var headers: [String: String] = [:]
            for f in req.headers { headers[f.name.canonicalName.lowercased()] = f.value }
            let rec = Recorded(method: req.method.rawValue, path: req.uri.path, headers: headers, body: Array(buffer: buf))
            let reply: Reply = r.state.withLock { s in
                s.recorded.append(rec)
                if let f = s.answer, let a = f(rec) { return a }
                return s.script.isEmpty ? s.fallback : s.script.removeFirst()
            }
            switch reply {
            case .hang:
                while !r.state.withLock({ $0.stopped }) { try? await Task.sleep(nanoseconds: 20_000_000) }
                return Response(status: .serviceUnavailable)
            case .status(let code, let body, let extra):
                var fields = HTTPFields()
                fields[.contentType] = body.hasPrefix("{") ? "application/json" : "text/plain"
                for (k, v) in extra { if let n = HTTPField.Name(k) { fields[n] = v } }
                return Response(status: .init(code: code), headers: fields, body: .init(byteBuffer: ByteBuffer(string: body)))
            }
        }
        router.post("**", use: handler)
        router.put("**", use: handler)
        var logger = Logger(label: "fake-receiver")
        logger.logLevel = .critical
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { ch in r.state.withLock { $0.port = ch.localAddress?.port ?? 0 } }, logger: logger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await app.runService(); return nil }
            while r.port == 0 { try await Task.sleep(nanoseconds: 5_000_000) }
            defer { r.state.withLock { $0.stopped = true } }
            let result: T
            do { result = try await body(r) } catch {
                r.state.withLock { $0.stopped = true }
                group.cancelAll()
                throw error
            }
            r.state.withLock { $0.stopped = true }
            group.cancelAll()
            return result
        }
    }
}
