import Hummingbird
import NIOCore
import TriplineCore

/// An error answered to the client as `{"error": "...", "status": N}`; the message says what
/// was wrong and what to do. Never carries internals (paths of the server, stack traces).
public struct APIError: Error, Sendable {
    public let status: HTTPResponse.Status
    public let message: String
    /// Extra headers (`Retry-After`, `WWW-Authenticate`).
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, _ message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.message = message
        self.headers = headers
    }

    /// The JSON response.
    public var response: Response {
        var w = JSONWriter()
        w.raw("{"); w.key("error"); w.string(message)
        w.raw(","); w.key("status"); w.int(status.code)
        w.raw("}")
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: w.bytes)))
    }
}

/// JSON responses from ``JSONWriter`` output.
enum JSONResponse {
    static func ok(_ build: (inout JSONWriter) -> Void, status: HTTPResponse.Status = .ok) -> Response {
        var w = JSONWriter()
        build(&w)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: w.bytes)))
    }
}
