import Foundation
import Hummingbird
import Synchronization

/// A token bucket per client address: `perMinute` requests a minute, in bursts of up to
/// `perMinute`. Buckets of clients gone quiet are dropped, so memory stays bounded.
final class RateLimiter: Sendable {
    let perMinute: Int
    private struct Bucket { var tokens: Double; var updated: Double }
    private let buckets = Mutex([String: Bucket]())

    init(perMinute: Int) { self.perMinute = perMinute }

    /// Takes one token for `client` at `now` (seconds); nil when allowed, else the seconds to wait.
    func take(_ client: String, now: Double) -> Int? {
        let rate = Double(perMinute) / 60
        let capacity = Double(perMinute)
        return buckets.withLock { b in
            var bucket = b[client] ?? Bucket(tokens: capacity, updated: now)
            bucket.tokens = min(capacity, bucket.tokens + (now - bucket.updated) * rate)
            bucket.updated = now
            if b.count > 50_000 { b = b.filter { now - $0.value.updated < 120 } }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                b[client] = bucket
                return nil
            }
            b[client] = bucket
            return max(1, Int(((1 - bucket.tokens) / rate).rounded(.up)))
        }
    }
}

/// 429 with `Retry-After` once a client has used its requests for the minute. Health probes and
/// metric scrapes are not counted.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = TriplineRequestContext
    let limiter: RateLimiter

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if path == "/health" || path.hasPrefix("/health/") || path == "/metrics" { return try await next(request, context) }
        if let wait = limiter.take(context.clientAddress, now: Date().timeIntervalSince1970) {
            throw APIError(.tooManyRequests, "rate limit of \(limiter.perMinute) requests a minute reached; retry in \(wait) s",
                           headers: [.retryAfter: String(wait)])
        }
        return try await next(request, context)
    }
}
