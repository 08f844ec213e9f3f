import HTTPTypes
import Hummingbird
import TriplineCore

/// Without a token the API trusts whoever reaches the loopback port, and a web page in the
/// analyst's browser can reach it too: a cross-site `POST` (a `text/plain` body needs no CORS
/// pre-flight) or a DNS-rebinding name that resolves to 127.0.0.1. So, with no token, only
/// requests whose `Host` names loopback (`localhost`, `127.0.0.1`, `[::1]`, with any port) are
/// served, and a request a browser marks as coming from another site (`Origin` other than a
/// loopback one, `Sec-Fetch-Site: cross-site`) is refused with 403.
struct LoopbackGuardMiddleware: RouterMiddleware {
    typealias Context = TriplineRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let host = request.head.authority
        guard let host, LoopbackGuardMiddleware.isLoopbackAuthority(host) else {
            throw APIError(.forbidden, "this server has no token and answers only requests to localhost, 127.0.0.1 or [::1] "
                + "(the Host header named something else: a DNS-rebinding page, or a proxy); set TRIPLINE_API_TOKEN to serve other names")
        }
        if let origin = request.headers[.origin], !LoopbackGuardMiddleware.isLoopbackOrigin(origin) {
            throw APIError(.forbidden, "cross-site requests are refused (Origin: \(TerminalSafe.sanitize(String(origin.prefix(100)))))")
        }
        if request.headers[LoopbackGuardMiddleware.secFetchSite] == "cross-site" {
            throw APIError(.forbidden, "cross-site requests are refused (Sec-Fetch-Site: cross-site)")
        }
        return try await next(request, context)
    }

    static let secFetchSite = HTTPField.Name("Sec-Fetch-Site")!

    /// `localhost`, `127.x.y.z` or `[::1]`, with an optional port.
    static func isLoopbackAuthority(_ authority: String) -> Bool {
        var h = Substring(authority.lowercased())
        if h.hasPrefix("[") {
            guard let close = h.firstIndex(of: "]") else { return false }
            let rest = h[h.index(after: close)...]
            guard rest.isEmpty || isPort(rest) else { return false }
            return h[h.index(after: h.startIndex)..<close] == "::1"
        }
        if let colon = h.lastIndex(of: ":") {
            guard isPort(h[colon...]) else { return false }
            h = h[..<colon]
        }
        if h == "localhost" || h == "localhost." { return true }
        let parts = h.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { p in
            !p.isEmpty && p.count <= 3 && p.allSatisfy(\.isASCII) && p.allSatisfy(\.isNumber) && (Int(p) ?? 256) <= 255
        }
    }

    /// `:` followed by 1 to 5 digits.
    private static func isPort(_ s: Substring) -> Bool {
        guard s.first == ":" else { return false }
        let digits = s.dropFirst()
        return !digits.isEmpty && digits.count <= 5 && digits.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// `http://` or `https://` and a loopback authority, nothing after it.
    static func isLoopbackOrigin(_ origin: String) -> Bool {
        let o = origin.lowercased()
        for scheme in ["http://", "https://"] where o.hasPrefix(scheme) {
            return isLoopbackAuthority(String(o.dropFirst(scheme.count)))
        }
        return false
    }
}
