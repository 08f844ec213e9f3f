import Foundation
import Logging
import MCP
import TriplineCore
#if canImport(Glibc)
import Glibc
#endif

/// The MCP server's transport over two file descriptors (standard input and output): messages
/// are read on a thread of their own with blocking reads (no polling) and framed in linear
/// time (``LineFramer``); each answer is written whole, then its newline.
public actor LineTransport: Transport {
    public nonisolated let logger: Logger
    private let input: Int32
    private let output: Int32
    private let maxBytes: Int
    private let stream: AsyncThrowingStream<Data, Error>
    private let continuation: AsyncThrowingStream<Data, Error>.Continuation
    private var started = false

    /// A transport reading `input` and writing `output`; messages over `maxBytes` are dropped.
    public init(input: Int32 = STDIN_FILENO, output: Int32 = STDOUT_FILENO, maxBytes: Int = 64 << 20, logger: Logger) {
        self.input = input
        self.output = output
        self.maxBytes = maxBytes
        self.logger = logger
        (stream, continuation) = AsyncThrowingStream<Data, Error>.makeStream()
    }

    public func connect() async throws {
        guard !started else { return }
        started = true
        let fd = input, continuation = self.continuation, maxBytes = self.maxBytes, logger = self.logger
        let thread = Thread {
            var framer = LineFramer(maxBytes: maxBytes)
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 1)
            defer { buffer.deallocate() }
            while true {
                let n = read(fd, buffer.baseAddress, buffer.count)
                if n < 0 && errno == EINTR { continue }
                if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                    // A non-blocking descriptor (a parent's choice): wait for it, do not spin.
                    var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                    _ = poll(&p, 1, -1)
                    continue
                }
                if n <= 0 { break }
                framer.push(UnsafeRawBufferPointer(rebasing: buffer[..<n]), message: { continuation.yield($0) }, tooLong: {
                    logger.error("a message over \(maxBytes >> 20) MiB was dropped")
                })
            }
            continuation.finish()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }

    public func disconnect() async {
        continuation.finish()
    }

    public func send(_ data: Data) async throws {
        var bytes = [UInt8](data)
        bytes.append(0x0A)
        var off = 0
        while off < bytes.count {
            let n = bytes.withUnsafeBytes { write(output, $0.baseAddress! + off, $0.count - off) }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK {
                    var p = pollfd(fd: output, events: Int16(POLLOUT), revents: 0)
                    _ = poll(&p, 1, -1)
                    continue
                }
                throw MCPError.transportError(POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO))
            }
            off += n
        }
    }

    public func receive() -> AsyncThrowingStream<Data, Error> { stream }
}
