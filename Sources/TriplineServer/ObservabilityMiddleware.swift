import Foundation
import Hummingbird
import Logging

/// The outermost layer: turns every error into a JSON answer (no internals leak: unexpected
/// errors become a 500 whose details go to the server log only), then counts the request in
/// the metrics and writes one structured access-log line.
struct ObservabilityMiddleware: RouterMiddleware {
    typealias Context = TriplineRequestContext
    let metrics: APIMetrics
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch let e as APIError {
            response = e.response
        } catch let e as HTTPError where e.status == .notFound && !APIServer.methods(for: request.uri.path).isEmpty {
            let allowed = APIServer.methods(for: request.uri.path)
            response = APIError(.methodNotAllowed, "\(request.method) is not allowed on \(request.uri.path); use \(allowed.joined(separator: " or "))",
                                headers: [.allow: allowed.joined(separator: ", ")]).response
        } catch let e as HTTPError {
            let message = e.body ?? (e.status == .notFound ? "no such route: \(request.method) \(request.uri.path); GET /openapi.json lists them" : e.status.reasonPhrase)
            response = APIError(e.status, message, headers: e.headers).response
        } catch let e as HTTPResponseError {
            // The body limit (NIOTooManyBytesError) and other framework errors with a status.
            let message = e.status == .contentTooLarge ? "request body too large" : e.status.reasonPhrase
            response = APIError(e.status, message).response
        } catch {
            logger.error("unexpected error", metadata: ["path": .string(request.uri.path), "error": .string(String(describing: error))])
            response = APIError(.internalServerError, "internal error; the server's log has the details").response
        }
        let elapsed = ContinuousClock.now - start
        let route = context.endpointPath ?? "unmatched"
        metrics.request(route: route, method: request.method.rawValue, status: response.status.code, duration: elapsed)
        let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        logger.info("request", metadata: [
            "method": .string(request.method.rawValue),
            "path": .string(request.uri.path),
            "route": .string(route),
            "status": .stringConvertible(response.status.code),
            "ms": .string(String(format: "%.2f", ms)),
            "client": .string(context.clientAddress),
        ])
        return response
    }
}
