import Hummingbird
import NIOCore

/// The request context of the API: Hummingbird's core storage plus the client's address (for
/// the rate limit and the access log).
public struct TriplineRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The client's address without the port ("127.0.0.1"), or "unknown".
    public var clientAddress: String { remoteAddress?.ipAddress ?? "unknown" }
}
