import Foundation
import Hummingbird
import Logging
import MultipartKit
import NIOCore
import NIOHTTP1
import TriplineCore
import TriplineEngine

/// `tripline serve`: the REST API, a thin face over ``AnalysisService`` (no parsing or
/// detection of its own). Routes and their answers are described in ``OpenAPIDocument``.
public struct APIServer: Sendable {
    public let options: APIOptions
    public let service: AnalysisService
    /// Where analyses run: off the cooperative pool, a few at a time (see ``AnalysisQueue``).
    public let queue: AnalysisQueue
    let metrics = APIMetrics()
    let logger: Logger

    public init(options: APIOptions, service: AnalysisService, logger: Logger) {
        self.options = options
        self.service = service
        self.logger = logger
        self.queue = AnalysisQueue(workers: options.analysisWorkers, waiting: options.analysisWaiting)
    }

    /// The router with every route and middleware.
    public func router() -> Router<TriplineRequestContext> {
        let router = Router(context: TriplineRequestContext.self)
        router.middlewares.add(ObservabilityMiddleware(metrics: metrics, logger: logger))
        if options.rateLimitPerMinute > 0 {
            router.middlewares.add(RateLimitMiddleware(limiter: RateLimiter(perMinute: options.rateLimitPerMinute, clock: options.clock)))
        }
        if let token = options.token, !token.isEmpty {
            router.middlewares.add(BearerAuthMiddleware(token: token))
        } else {
            router.middlewares.add(LoopbackGuardMiddleware())
        }
        let service = self.service, metrics = self.metrics, options = self.options, queue = self.queue

        router.get("/health") { _, _ in
            let s = service.stats
            let model = service.model
            return JSONResponse.ok { w in
                w.raw("{"); w.key("status"); w.string("ok")
                w.raw(","); w.key("version"); w.string(TriplineBuild.version)
                w.raw(","); w.key("model_loaded"); w.bool(model != nil)
                w.raw(","); w.key("model_error"); w.optionalString(model == nil ? service.modelError.map(APIServer.withoutPaths) : nil)
                w.raw(","); w.key("uptime_seconds"); w.double((s.uptimeSeconds * 1000).rounded() / 1000)
                w.raw("}")
            }
        }
        router.get("/health/live") { _, _ in
            JSONResponse.ok { w in w.raw("{"); w.key("status"); w.string("alive"); w.raw("}") }
        }
        router.get("/health/ready") { _, _ in
            if service.model != nil {
                return JSONResponse.ok { w in w.raw("{"); w.key("status"); w.string("ready"); w.raw("}") }
            }
            return JSONResponse.ok({ w in
                w.raw("{"); w.key("status"); w.string("not ready")
                w.raw(","); w.key("reason"); w.string(service.modelError.map(APIServer.withoutPaths) ?? "no model loaded")
                w.raw("}")
            }, status: .serviceUnavailable)
        }

        router.post("/analyze") { request, context in
            let minimum = try APIServer.minimumSeverity(request)
            // A slot is taken once the body is in: a client sending its body a byte at a time
            // holds a connection, not an analysis (nine such once made every /analyze answer 503).
            let bytes = try await APIServer.body(request, options: options)
            try APIServer.requireBody(request, bytes)
            let ticket = try APIServer.admit(queue)
            defer { ticket.release() }
            let analysis: Analysis
            if APIServer.mediaType(request) == "application/json" {
                let maxRecords = options.maxRecords
                analysis = try await ticket.run { () -> Result<Analysis, APIError> in
                    do {
                        let events = try RecordBatch.events(body: bytes, name: "request", maxRecords: maxRecords)
                        return .success(service.analyze(events: events, minimumSeverity: minimum))
                    } catch {
                        return .failure(APIError(.badRequest, String(describing: error)))
                    }
                }.get()
            } else {
                analysis = await ticket.run { service.analyze(bytes: bytes, name: "request", minimumSeverity: minimum) }
            }
            metrics.analysis(analysis)
            return APIServer.analysisResponse(analysis)
        }

        router.post("/analyze/file") { request, context in
            let minimum = try APIServer.minimumSeverity(request)
            var bytes = try await APIServer.body(request, options: options)
            try APIServer.requireBody(request, bytes)
            let ticket = try APIServer.admit(queue)
            defer { ticket.release() }
            var name = "upload"
            if APIServer.mediaType(request) == "multipart/form-data" {
                let file = try APIServer.uploadedFile(request, body: bytes)
                bytes = file.bytes
                name = file.name
            }
            let upload = bytes, uploadName = name
            let analysis = await ticket.run { service.analyze(bytes: upload, name: uploadName, minimumSeverity: minimum) }
            metrics.analysis(analysis)
            return APIServer.analysisResponse(analysis)
        }

        router.get("/anomalies") { request, _ in
            let q = request.uri.queryParameters
            let filter: AnomalyFilter
            do {
                filter = try AnomalyFilter.parse(
                    severity: q["severity"].map(String.init), kind: q["kind"].map(String.init), user: q["user"].map(String.init),
                    sourceIP: q["source_ip"].map(String.init), host: q["host"].map(String.init), since: q["since"].map(String.init), until: q["until"].map(String.init),
                    limit: q["limit"].map(String.init))
            } catch {
                throw APIError(.badRequest, String(describing: error))
            }
            let found = service.anomalies(matching: filter)
            return JSONResponse.ok { w in found.writeCountedList(to: &w) }
        }

        router.get("/anomalies/{id}") { _, context in
            let id = context.parameters.get("id") ?? ""
            guard let a = service.anomaly(id: id) else {
                throw APIError(.notFound, "no anomaly '\(id)' is kept; GET /anomalies lists them")
            }
            let baseline = service.baseline(for: a)
            return JSONResponse.ok { w in
                w.raw("{"); w.key("anomaly"); a.writeJSON(to: &w)
                w.raw(","); w.key("baseline"); w.value(.array(baseline.map { .string($0) }))
                w.raw("}")
            }
        }

        router.get("/stats") { _, _ in
            JSONResponse.ok { w in APIServer.writeStats(service, to: &w) }
        }

        router.post("/model/reload") { _, _ in
            do {
                let m = try service.reloadModel()
                return JSONResponse.ok { w in
                    w.raw("{"); w.key("reloaded"); w.bool(true)
                    w.raw(","); w.key("model"); APIServer.writeModel(m, to: &w)
                    w.raw("}")
                }
            } catch {
                throw APIError(.conflict, "\(APIServer.withoutPaths(String(describing: error))); the model in use (if any) stays")
            }
        }

        router.get("/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"],
                     body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
        }
        router.get("/docs") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: DocsPage.html)))
        }
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(bytes: metrics.render(service: service))))
        }
        return router
    }

    /// Runs until SIGTERM or SIGINT; requests in flight finish first. `onRunning` gets the port.
    public func run(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let app = Application(
            router: router(),
            server: .http1(configuration: .init(idleTimeout: .seconds(Int64(max(1, options.idleTimeoutSeconds))))),
            configuration: .init(address: .hostname(options.host, port: options.port), serverName: "tripline/\(TriplineBuild.version)"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
        let service = self.service
        let trimmer = MemoryTuning.giveBackPeriodically { service.compactIfNeeded() }
        defer { trimmer.cancel() }
        try await app.runService()
    }

    // MARK: - Helpers

    /// Every route and its method, as the router has them (also what `GET /openapi.json` lists).
    public static let routes: [(method: String, path: String)] = [
        ("GET", "/health"), ("GET", "/health/live"), ("GET", "/health/ready"),
        ("POST", "/analyze"), ("POST", "/analyze/file"),
        ("GET", "/anomalies"), ("GET", "/anomalies/{id}"), ("GET", "/stats"), ("POST", "/model/reload"),
        ("GET", "/openapi.json"), ("GET", "/docs"), ("GET", "/metrics"),
    ]

    /// The methods a path answers to (empty when no route has that path).
    static func methods(for path: String) -> [String] {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        return routes.filter { r in
            let pattern = r.path.split(separator: "/", omittingEmptySubsequences: false)
            guard pattern.count == parts.count else { return false }
            return zip(pattern, parts).allSatisfy { p, x in p.hasPrefix("{") ? !x.isEmpty : p == x }
        }.map(\.method)
    }

    /// A place in the analysis queue, or 503 with `Retry-After` when it is full.
    static func admit(_ queue: AnalysisQueue) throws -> AnalysisQueue.Ticket {
        do {
            return try queue.admit()
        } catch {
            throw APIError(.serviceUnavailable, error.description, headers: [.retryAfter: String(error.retryAfter)])
        }
    }

    /// The request body, up to the size limit (413 beyond) and within the body timeout (408
    /// after): a client trickling its body cannot hold a place in the queue for ever.
    static func body(_ request: Request, options: APIOptions) async throws -> [UInt8] {
        let limit = options.maxBodyBytes
        let seconds = options.bodyTimeoutSeconds
        let body = request.body
        return try await withThrowingTaskGroup(of: [UInt8]?.self) { group in
            group.addTask {
                do {
                    return Array(buffer: try await body.collect(upTo: limit))
                } catch HTTPParserError.invalidEOFState {
                    // The connection ended inside the body: the client went away.
                    throw APIError(APIServer.clientClosedRequest, "the client closed the connection before its body arrived")
                } catch let e as HTTPParserError {
                    // The client sent a body that is not HTTP (a malformed chunk size, …).
                    throw APIError(.badRequest, "the request body could not be read: \(e)")
                } catch let e as ChannelError {
                    // The client went away before its body was in: no one to answer, and not
                    // the server's fault (nginx's 499, in the logs and metrics).
                    throw APIError(APIServer.clientClosedRequest, "the client closed the connection before its body arrived (\(e))")
                }
            }
            group.addTask {
                try await Task.sleep(for: .seconds(seconds))
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let bytes = first else {
                throw APIError(.requestTimeout, "the request body did not arrive within \(seconds) s")
            }
            return bytes
        }
    }

    /// The status a request gets when its client went away before sending it whole (nginx's).
    static let clientClosedRequest = HTTPResponse.Status(code: 499, reasonPhrase: "Client Closed Request")

    static func mediaType(_ request: Request) -> String {
        let ct = request.headers[.contentType] ?? ""
        return ct.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
    }

    /// No body at all (no Content-Type, nothing sent) is a mistake; an empty log is not.
    static func requireBody(_ request: Request, _ bytes: [UInt8]) throws {
        if bytes.isEmpty, request.headers[.contentType] == nil {
            throw APIError(.badRequest, "missing request body: send log lines (text/plain), {\"logs\": [...]} (application/json) or a file (multipart/form-data)")
        }
    }

    static func minimumSeverity(_ request: Request) throws -> Severity {
        guard let s = request.uri.queryParameters["min_severity"].map(String.init) else { return .low }
        guard let v = Severity(rawValue: s.lowercased()) else {
            throw APIError(.badRequest, "min_severity: '\(s)' is not a severity; use one of \(Severity.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return v
    }

    /// The first file part of a multipart/form-data body (its field name does not matter;
    /// `file` is the usual one).
    static func uploadedFile(_ request: Request, body: [UInt8]) throws -> (name: String, bytes: [UInt8]) {
        let ct = request.headers[.contentType] ?? ""
        guard let b = ct.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) }).first(where: { $0.lowercased().hasPrefix("boundary=") }) else {
            throw APIError(.badRequest, "multipart/form-data without a boundary in Content-Type")
        }
        let boundary = String(b.dropFirst("boundary=".count)).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        guard !boundary.isEmpty else { throw APIError(.badRequest, "multipart/form-data with an empty boundary") }
        let parser = MultipartParser(boundary: boundary)
        final class Collector { var parts: [(disposition: String, bytes: [UInt8])] = []; var disposition = ""; var bytes: [UInt8] = [] }
        let c = Collector()
        parser.onHeader = { name, value in if name.lowercased() == "content-disposition" { c.disposition = value } }
        parser.onBody = { buf in c.bytes.append(contentsOf: buf.readableBytesView) }
        parser.onPartComplete = {
            c.parts.append((c.disposition, c.bytes))
            c.disposition = ""
            c.bytes = []
        }
        do { try parser.execute(body) } catch {
            throw APIError(.badRequest, "the multipart body could not be read: \(error)")
        }
        let files = c.parts.filter { $0.disposition.contains("filename") }
        guard files.count <= 1 else {
            throw APIError(.badRequest, "the multipart body holds \(files.count) files; send one file a request (curl -F file=@auth.log), or concatenate them")
        }
        guard let part = files.first ?? c.parts.first(where: { $0.disposition.contains("name=\"file\"") }) else {
            throw APIError(.badRequest, "no file in the multipart body: send it as a form field, e.g. curl -F file=@auth.log")
        }
        var name = "upload"
        if let r = part.disposition.range(of: "filename=\"") {
            let rest = part.disposition[r.upperBound...]
            if let end = rest.firstIndex(of: "\"") {
                // Only the base name: never a path the client chose.
                let base = String(rest[..<end]).split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
                if !base.isEmpty { name = TerminalSafe.sanitize(base) }
            }
        }
        return (name, part.bytes)
    }

    /// The analysis as JSON, sent as it is written in pieces of about 256 KiB: an answer
    /// listing 60,000 anomalies was a 67 MB document built whole and then copied.
    static func analysisResponse(_ a: Analysis) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody { writer in
            var w = JSONWriter()
            a.writeJSONHead(to: &w)
            for i in a.anomalies.indices {
                a.writeJSONAnomaly(i, to: &w)
                if w.bytes.count >= 256 << 10 {
                    try await writer.write(ByteBuffer(bytes: w.bytes))
                    w.bytes.removeAll(keepingCapacity: true)
                }
            }
            a.writeJSONTail(to: &w)
            try await writer.write(ByteBuffer(bytes: w.bytes))
            try await writer.finish(nil)
        })
    }

    /// Error text for clients: the server's own paths reduced to file names.
    static func withoutPaths(_ s: String) -> String {
        s.split(separator: " ", omittingEmptySubsequences: false).map { word in
            word.hasPrefix("/") ? Substring(word.split(separator: "/").last ?? word) : word
        }.joined(separator: " ")
    }

    static func writeModel(_ m: TriplineModel, to w: inout JSONWriter) { m.writeSummary(to: &w) }

    static func writeStats(_ service: AnalysisService, to w: inout JSONWriter) {
        let s = service.stats
        w.raw("{"); w.key("version"); w.string(TriplineBuild.version)
        w.raw(","); w.key("uptime_seconds"); w.double((s.uptimeSeconds * 1000).rounded() / 1000)
        w.raw(","); w.key("model"); if let m = service.model { writeModel(m, to: &w) } else { w.raw("null") }
        s.writeCounterMembers(to: &w)
        w.raw("}")
    }
}

extension APIServer {
    /// What a failure to start listening means, in words that say what to do (nil for other
    /// errors): the port taken by another program, or one below 1024 without the right.
    public static func startFailure(_ error: Error, host: String, port: Int) -> String? {
        guard let io = error as? IOError else { return nil }
        switch io.errnoCode {
        case EADDRINUSE: return "port \(port) on \(host) is in use by another program (another tripline serve?): stop it or pass --port N"
        case EACCES: return "not allowed to listen on port \(port) on \(host): ports below 1024 need privileges; pass --port N (8080 by default)"
        case EADDRNOTAVAIL: return "\(host) is not an address of this machine: pass --host with one of its addresses (127.0.0.1 by default)"
        default: return nil
        }
    }
}
