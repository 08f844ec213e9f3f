import Foundation

/// Newline-delimited JSON-RPC messages out of a byte stream, in time linear in the bytes: each
/// byte is looked at once, however a message is split across reads (the SDK's stdio transport
/// searched its whole pending buffer after every 4 KiB read, so a 32 MiB message took minutes).
/// A line longer than ``maxBytes`` is dropped whole and reported, never held.
public struct LineFramer: Sendable {
    /// The longest message taken.
    public let maxBytes: Int
    private var pending: [UInt8] = []
    /// Dropping an over-long line until its newline.
    private var dropping = false

    /// A framer taking messages of at most `maxBytes`.
    public init(maxBytes: Int) { self.maxBytes = maxBytes }

    /// Takes `bytes`; hands each complete, non-empty line to `message`, and tells `tooLong`
    /// of each line dropped.
    public mutating func push(_ bytes: UnsafeRawBufferPointer, message: (Data) -> Void, tooLong: () -> Void) {
        var i = 0
        while i < bytes.count {
            let rest = UnsafeRawBufferPointer(rebasing: bytes[i...])
            guard let nl = rest.firstIndex(of: 0x0A) else {
                if !dropping {
                    pending.append(contentsOf: rest)
                    if pending.count > maxBytes {
                        pending = []
                        dropping = true
                        tooLong()
                    }
                }
                return
            }
            if dropping {
                dropping = false
            } else {
                pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: rest[..<nl]))
                if pending.count > maxBytes {
                    tooLong()
                } else if !pending.isEmpty {
                    message(Data(pending))
                }
                pending.removeAll(keepingCapacity: pending.capacity <= 1 << 20)
            }
            i += nl + 1
        }
    }

    /// Bytes held of an unfinished line.
    public var pendingBytes: Int { pending.count }
}
