import Foundation
import Logging
import Testing
import TriplineTestSupport
@testable import TriplineMCP
import TriplineCore
#if canImport(Glibc)
import Glibc
#endif

/// The MCP server's stdio transport: linear in message size (the SDK's took 2.5/6.2/22.9/87.8 s
/// for 1/2/4/8 MB messages), whole messages however they are split, over-long ones dropped.
@Suite struct LineTransportTests {
    static func frame(_ bytes: [UInt8], reads: Int, maxBytes: Int = 64 << 20) -> (messages: [Data], dropped: Int) {
        var framer = LineFramer(maxBytes: maxBytes)
        var out: [Data] = [], dropped = 0
        var at = 0
        while at < bytes.count {
            let n = min(reads, bytes.count - at)
            bytes[at..<(at + n)].withUnsafeBytes { framer.push($0, message: { out.append($0) }, tooLong: { dropped += 1 }) }
            at += n
        }
        return (out, dropped)
    }

    static func message(_ size: Int) -> [UInt8] {
        Array(#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"analyze_logs","arguments":{"logs":""#.utf8)
            + [UInt8](repeating: UInt8(ascii: "a"), count: size) + Array(#""}}}"#.utf8) + [0x0A]
    }

    @Test func framingIsLinearInMessageSize() {
        let r = Growth.ratio(n: 1 << 20) { n in
            let m = Self.message(n)
            return { _ = Self.frame(m, reads: 4096) }
        }
        print("growth MCP framing: 8x the message, \(String(format: "%.1f", r.ratio))x the CPU time")
        #expect(r.ratio <= 12, "8x the message took \(r.ratio)x the time")
    }

    @Test func messagesSplitAnywhereComeOutWhole() {
        let bytes = Self.message(10) + Array("\n\n".utf8) + Self.message(3) + Self.message(70_000)
        for reads in [1, 3, 4096, 1 << 20] {
            let (got, dropped) = Self.frame(bytes, reads: reads)
            #expect(got.count == 3 && dropped == 0, "reads of \(reads)")
            #expect(got.map(\.count) == [Self.message(10).count - 1, Self.message(3).count - 1, Self.message(70_000).count - 1])
        }
        // Over the bound: dropped whole, the next message still read.
        let (got, dropped) = Self.frame(Self.message(5000) + Self.message(10), reads: 777, maxBytes: 1000)
        #expect(dropped == 1 && got.count == 1 && got[0].count == Self.message(10).count - 1)
    }

    /// 32 MiB, the documented largest `logs`, through a real pipe.
    @Test func aThirtyTwoMebibyteMessageArrives() async throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let (readEnd, writeEnd) = (fds[0], fds[1])
        let devnull = open("/dev/null", O_WRONLY)
        let transport = LineTransport(input: readEnd, output: devnull, logger: Logger(label: "test"))
        try await transport.connect()
        let message = Self.message(32 << 20)
        let writer = Thread {
            var off = 0
            message.withUnsafeBytes { buf in
                while off < buf.count {
                    let n = write(writeEnd, buf.baseAddress! + off, buf.count - off)
                    if n <= 0 { break }
                    off += n
                }
            }
            close(writeEnd)
        }
        writer.start()
        var received: [Int] = []
        for try await m in await transport.receive() { received.append(m.count) }
        #expect(received == [message.count - 1])
        try await transport.send(Data("{}".utf8))
        close(readEnd)
        close(devnull)
    }
}
