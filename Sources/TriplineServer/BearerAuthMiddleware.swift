import Hummingbird

/// Requires `Authorization: Bearer TOKEN` on every route but the open ones (health, metrics,
/// the API description). The comparison takes the same time whatever the token sent.
struct BearerAuthMiddleware: RouterMiddleware {
    typealias Context = TriplineRequestContext
    let token: [UInt8]

    init(token: String) { self.token = Array(token.utf8) }

    /// Paths open without a token: probes, scrapes and the API's own description.
    static func isOpen(_ path: String) -> Bool {
        path == "/health" || path.hasPrefix("/health/") || path == "/metrics" || path == "/openapi.json" || path == "/docs"
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if BearerAuthMiddleware.isOpen(request.uri.path) { return try await next(request, context) }
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") || header.hasPrefix("bearer ") else {
            throw APIError(.unauthorized, "missing bearer token: send 'Authorization: Bearer <token>'", headers: [.wwwAuthenticate: "Bearer"])
        }
        guard BearerAuthMiddleware.constantTimeEqual(Array(header.utf8.dropFirst(7)), token) else {
            throw APIError(.unauthorized, "the bearer token is not the one this server was started with", headers: [.wwwAuthenticate: "Bearer error=\"invalid_token\""])
        }
        return try await next(request, context)
    }

    /// Equal contents, in time that depends only on the lengths.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var diff = UInt64(a.count ^ b.count)
        let n = max(a.count, b.count)
        for i in 0..<n {
            let x = i < a.count ? a[i] : 0
            let y = i < b.count ? b[i] : 0
            diff |= UInt64(x ^ y)
        }
        return diff == 0
    }
}
