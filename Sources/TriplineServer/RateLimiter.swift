import Foundation
import Hummingbird
import Synchronization

/// A token bucket per client address: `perMinute` requests a minute, in bursts of up to
/// `perMinute`. Memory and time stay bounded whatever the number of addresses: past
/// ``sweepAbove`` clients, buckets of clients quiet for two minutes are dropped (at most once
/// every ten seconds, so a flood of new addresses does not make every request scan the table),
/// and past ``hardLimit`` the table starts over (every client gets a fresh bucket: the limit
/// is per address, and an attacker with that many addresses is not held back by it anyway).
final class RateLimiter: Sendable {
    let perMinute: Int
    static let sweepAbove = 50_000
    static let hardLimit = 200_000
    private struct Bucket { var tokens: Double; var updated: Double }
    private struct Table { var buckets: [String: Bucket] = [:]; var lastSweep = 0.0 }
    private let table = Mutex(Table())

    /// The time now, in seconds.
    let clock: @Sendable () -> Double

    init(perMinute: Int, clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.perMinute = perMinute
        self.clock = clock
    }

    /// Clients with a bucket now.
    var clients: Int { table.withLock { $0.buckets.count } }

    /// Takes one token for `client` at `now` (seconds); nil when allowed, else the seconds to wait.
    func take(_ client: String, now: Double) -> Int? {
        let rate = Double(perMinute) / 60
        let capacity = Double(perMinute)
        return table.withLock { t in
            var bucket = t.buckets[client] ?? Bucket(tokens: capacity, updated: now)
            bucket.tokens = min(capacity, bucket.tokens + max(0, now - bucket.updated) * rate)
            bucket.updated = now
            if t.buckets.count > RateLimiter.sweepAbove, now - t.lastSweep > 10 {
                t.lastSweep = now
                t.buckets = t.buckets.filter { now - $0.value.updated < 120 }
            }
            if t.buckets.count > RateLimiter.hardLimit { t.buckets = [:] }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                t.buckets[client] = bucket
                return nil
            }
            t.buckets[client] = bucket
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
        if let wait = limiter.take(context.clientAddress, now: limiter.clock()) {
            throw APIError(.tooManyRequests, "rate limit of \(limiter.perMinute) requests a minute reached; retry in \(wait) s",
                           headers: [.retryAfter: String(wait)])
        }
        return try await next(request, context)
    }
}
