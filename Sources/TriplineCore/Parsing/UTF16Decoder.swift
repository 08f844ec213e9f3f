/// Reads UTF-16 text (a file that starts with a byte-order mark, as Windows tools and
/// PowerShell's `Out-File` write it) as UTF-8, a chunk at a time: the lines then go through
/// the same splitter and parsers as any other file. Unpaired surrogates become U+FFFD.
final class UTF16Decoder {
    let bigEndian: Bool
    /// Raw bytes read but not decoded yet (the head given at the start, then what a read leaves).
    private var raw: [UInt8]
    private var rawStart = 0
    private var inputDone = false
    /// A high surrogate waiting for its low half.
    private var high: UInt16?

    /// The byte-order mark at the start of `head`: little-endian (FF FE) or big-endian (FE FF),
    /// nil when there is none.
    static func byteOrder(_ head: ByteSpan) -> Bool? {
        guard head.count >= 2 else { return nil }
        if head[0] == 0xFF, head[1] == 0xFE { return false }
        if head[0] == 0xFE, head[1] == 0xFF { return true }
        return nil
    }

    /// Whether text without a mark looks like UTF-16 (ASCII with a zero byte beside every
    /// character in its first 64 bytes): true for big-endian, false for little-endian, nil when not.
    static func looksLikeUTF16(_ head: ByteSpan) -> Bool? {
        let n = min(head.count, 64) & ~1
        guard n >= 8 else { return nil }
        var evenZero = true, oddZero = true
        for i in stride(from: 0, to: n, by: 2) {
            if head[i] != 0 || head[i + 1] == 0 { evenZero = false }
            if head[i + 1] != 0 || head[i] == 0 { oddZero = false }
        }
        return evenZero ? true : oddZero ? false : nil
    }

    /// A decoder whose input starts with `head` (the mark included, which is dropped).
    init(bigEndian: Bool, head: ByteSpan) {
        self.bigEndian = bigEndian
        raw = Array(UnsafeBufferPointer(start: head.base, count: head.count))
        rawStart = 2
    }

    /// Fills `out` with up to `capacity` bytes of UTF-8 (at least 4 bytes of room needed),
    /// pulling raw bytes from `next` (its contract is ``Decompressor/read(into:capacity:from:)``'s);
    /// 0 at the end, or a read error from `next`.
    func read(into out: UnsafeMutablePointer<UInt8>, capacity: Int, from next: (UnsafeMutablePointer<UInt8>, Int) -> Int) -> Int {
        var produced = 0
        while produced + 4 <= capacity {
            if raw.count - rawStart < 2 {
                if inputDone { break }
                // Keep the odd byte, read more behind it.
                let left = Array(raw[rawStart...])
                let want = max(4096, (capacity - produced) / 3 * 2)
                var more = [UInt8](repeating: 0, count: want)
                let n = more.withUnsafeMutableBufferPointer { buf in buf.baseAddress.map { next($0, want) } ?? 0 }
                if n < 0 { return produced > 0 ? produced : n }
                if n == 0 { inputDone = true }
                raw = left + more.prefix(n)
                rawStart = 0
                continue
            }
            let a = UInt16(raw[rawStart]), b = UInt16(raw[rawStart + 1])
            rawStart += 2
            let unit = bigEndian ? a << 8 | b : b << 8 | a
            var scalar: UInt32
            if let h = high {
                high = nil
                if unit >= 0xDC00 && unit < 0xE000 {
                    scalar = 0x10000 + (UInt32(h - 0xD800) << 10) + UInt32(unit - 0xDC00)
                } else {
                    produced += Self.encode(0xFFFD, out + produced)
                    if unit >= 0xD800 && unit < 0xDC00 { high = unit; continue }
                    scalar = unit >= 0xDC00 && unit < 0xE000 ? 0xFFFD : UInt32(unit)
                }
            } else if unit >= 0xD800 && unit < 0xDC00 {
                high = unit
                continue
            } else if unit >= 0xDC00 && unit < 0xE000 {
                scalar = 0xFFFD
            } else {
                scalar = UInt32(unit)
            }
            produced += Self.encode(scalar, out + produced)
        }
        if produced + 4 <= capacity, inputDone, raw.count - rawStart < 2, high != nil || raw.count - rawStart == 1 {
            // A lone high surrogate or an odd byte at the very end.
            high = nil
            rawStart = raw.count
            produced += Self.encode(0xFFFD, out + produced)
        }
        return produced
    }

    private static func encode(_ s: UInt32, _ p: UnsafeMutablePointer<UInt8>) -> Int {
        switch s {
        case 0..<0x80:
            p[0] = UInt8(s); return 1
        case 0x80..<0x800:
            p[0] = UInt8(0xC0 | s >> 6); p[1] = UInt8(0x80 | s & 0x3F); return 2
        case 0x800..<0x10000:
            p[0] = UInt8(0xE0 | s >> 12); p[1] = UInt8(0x80 | s >> 6 & 0x3F); p[2] = UInt8(0x80 | s & 0x3F); return 3
        default:
            p[0] = UInt8(0xF0 | s >> 18); p[1] = UInt8(0x80 | s >> 12 & 0x3F); p[2] = UInt8(0x80 | s >> 6 & 0x3F); p[3] = UInt8(0x80 | s & 0x3F); return 4
        }
    }
}
