/// Appends JSON text to a byte buffer: fast string escaping for the hot output paths
/// (`tripline parse`, exports) without `JSONEncoder`.
public struct JSONWriter {
    /// The bytes written so far.
    public var bytes: [UInt8] = []
    /// Where ``withRoom(_:_:)`` writes before the bytes written are appended: made once, as
    /// large as the largest room asked for, so that room is not made (and zeroed) in ``bytes``
    /// at several times what is written, once per record.
    @usableFromInline var scratch: [UInt8] = []

    /// An empty writer.
    public init() {}

    static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends `s` as a quoted JSON string. Control characters, quotes and backslashes are
    /// escaped, and so are U+2028/U+2029 so the output is also safe to embed in JavaScript.
    public mutating func string(_ s: String) {
        withRoom(Cursor.room(s)) { $0.string(s) }
    }

    /// Lets `body` write up to `bound` bytes straight into the end of ``bytes`` (one capacity
    /// check for a whole record rather than one per piece: `tripline parse`'s hot path).
    /// Writing more than `bound` is a bug; ``Cursor/room(_:)`` gives a string's bound.
    @inlinable
    public mutating func withRoom(_ bound: Int, _ body: (inout Cursor) -> Void) {
        if scratch.count < bound { scratch = [UInt8](repeating: 0, count: max(bound, 2 * scratch.count, 512)) }
        scratch.withUnsafeMutableBufferPointer { buf in
            guard let base = buf.baseAddress else { return }
            var c = Cursor(base, limit: bound)
            body(&c)
            bytes.append(contentsOf: UnsafeBufferPointer(start: base, count: c.count))
        }
    }

    /// Where ``withRoom(_:_:)`` writes: a position in room already made.
    public struct Cursor {
        @usableFromInline let p: UnsafeMutablePointer<UInt8>
        @usableFromInline let limit: Int
        /// Bytes written.
        public private(set) var count = 0

        @usableFromInline init(_ p: UnsafeMutablePointer<UInt8>, limit: Int) {
            self.p = p
            self.limit = limit
        }

        /// The most bytes ``string(_:)`` writes for `s`: its quotes, and six for each byte
        /// (`\u00XX` for a control character is the longest escape per byte).
        public static func room(_ s: String) -> Int { 6 * s.utf8.count + 2 }
        /// ``room(_:)``, or that of `null`.
        public static func room(_ s: String?) -> Int { s.map { room($0) } ?? 4 }

        /// Writes one byte.
        @inline(__always) public mutating func byte(_ b: UInt8) {
            precondition(count < limit, "JSONWriter.Cursor: more than the room made")
            p[count] = b
            count &+= 1
        }

        /// Writes bytes as they are. Up to 16 bytes (a name, an address, a key) are moved as two
        /// words that overlap, not by a call to `memmove`: an event has a dozen such pieces.
        @inline(__always) mutating func bytes(_ b: UnsafeBufferPointer<UInt8>) {
            guard let src = b.baseAddress, b.count > 0 else { return }
            let n = b.count
            precondition(count + n <= limit, "JSONWriter.Cursor: more than the room made")
            let from = UnsafeRawPointer(src), to = UnsafeMutableRawPointer(p + count)
            if n >= 8, n <= 16 {
                let head = from.loadUnaligned(as: UInt64.self), tail = from.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
                to.storeBytes(of: head, as: UInt64.self)
                to.storeBytes(of: tail, toByteOffset: n - 8, as: UInt64.self)
            } else if n >= 4, n < 8 {
                let head = from.loadUnaligned(as: UInt32.self), tail = from.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)
                to.storeBytes(of: head, as: UInt32.self)
                to.storeBytes(of: tail, toByteOffset: n - 4, as: UInt32.self)
            } else if n < 4 {
                for i in 0..<n { p[count &+ i] = src[i] }
            } else {
                to.copyMemory(from: from, byteCount: n)
            }
            count &+= n
        }

        /// Writes raw ASCII text (already valid JSON).
        @inline(__always) public mutating func raw(_ s: StaticString) {
            bytes(UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
        }

        /// Writes an integer (at most 20 bytes), its digits straight into place.
        public mutating func int(_ v: Int) {
            var m = v.magnitude
            var digits = 1
            var rest = m
            while rest >= 10 { rest /= 10; digits &+= 1 }
            let n = v < 0 ? digits + 1 : digits
            precondition(count + n <= limit, "JSONWriter.Cursor: more than the room made")
            var i = count + n
            repeat {
                i &-= 1
                p[i] = 0x30 &+ UInt8(truncatingIfNeeded: m % 10)
                m /= 10
            } while m > 0
            if v < 0 { p[count] = 0x2D }
            count &+= n
        }

        /// Writes the string, or `null` when there is none.
        public mutating func optionalString(_ s: String?) {
            if let s { string(s) } else { raw("null") }
        }

        /// Writes `s` quoted and escaped (see ``JSONWriter/string(_:)``); at most ``room(_:)`` bytes.
        public mutating func string(_ s: String) {
            byte(0x22)
            // Read in place (native strings are contiguous); a copy made contiguous otherwise.
            if s.utf8.withContiguousStorageIfAvailable({ escaped($0) }) == nil {
                var copy = s
                copy.withUTF8 { escaped($0) }
            }
            byte(0x22)
        }

        /// The bytes of a string, escaped (without its quotes).
        private mutating func escaped(_ buf: UnsafeBufferPointer<UInt8>) {
            do {
                var runStart = 0
                var k = 0
                let n = buf.count
                let base = UnsafeRawPointer(buf.baseAddress)
                // Bytes before this index are taken one at a time: the block of 16 (or the tail)
                // they are in has one to escape, and is not tested again at every byte.
                var singlesUntil = 0
                while k < n {
                    // Sixteen plain ASCII bytes at a time (most of a log message).
                    if k >= singlesUntil, k + 16 <= n, let base {
                        let w0 = base.loadUnaligned(fromByteOffset: k, as: UInt64.self)
                        let w1 = base.loadUnaligned(fromByteOffset: k + 8, as: UInt64.self)
                        if JSONWriter.escapeBits(w0) | JSONWriter.escapeBits(w1) == 0 {
                            k += 16
                            continue
                        }
                        singlesUntil = k + 16
                    }
                    // Eight at a time (the rest of a short string).
                    if k >= singlesUntil, k + 8 <= n, let base, JSONWriter.plain(base.loadUnaligned(fromByteOffset: k, as: UInt64.self)) {
                        k += 8
                        continue
                    }
                    // The last one to seven bytes: in a string of eight bytes or more, the word of
                    // its last eight (some passed over already: a byte to escape among those only
                    // sends the tail down the byte path); in a shorter one (a name, an address, a
                    // program), byte by byte. Not copied into a padded word: reading a word just
                    // written byte by byte stalls the load.
                    if k + 8 > n, k >= singlesUntil, let base {
                        if n >= 8 {
                            if JSONWriter.plain(base.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)) { k = n; continue }
                        } else {
                            var q = k
                            while q < n, !JSONWriter.needsEscape(buf[q]) { q += 1 }
                            if q == n { k = n; continue }
                        }
                        singlesUntil = n
                    }
                    let c = buf[k]
                    var esc: UInt8 = 0
                    var needsEscape = false
                    if c < 0x20 || c == 0x22 || c == 0x5C || c == 0x7F {
                        needsEscape = true
                        switch c {
                        case 0x22: esc = 0x22
                        case 0x5C: esc = 0x5C
                        case 0x0A: esc = UInt8(ascii: "n")
                        case 0x0D: esc = UInt8(ascii: "r")
                        case 0x09: esc = UInt8(ascii: "t")
                        default: esc = 0
                        }
                    } else if c == 0xC2, k + 1 < n, buf[k + 1] >= 0x80, buf[k + 1] <= 0x9F {
                        // C1 controls (U+0080–U+009F; U+009B is an 8-bit CSI): escaped, so that the
                        // JSON shown on a terminal cannot drive it.
                        bytes(UnsafeBufferPointer(rebasing: buf[runStart..<k]))
                        let v = buf[k + 1]
                        unicodeEscape(UInt32(v))
                        k += 2
                        runStart = k
                        continue
                    } else if c == 0xE2, k + 2 < n, let scalar = JSONWriter.escapedE2(buf[k + 1], buf[k + 2]) {
                        // Line and paragraph separators (JavaScript's line ends) and the bidirectional
                        // overrides that reorder what a terminal shows.
                        bytes(UnsafeBufferPointer(rebasing: buf[runStart..<k]))
                        unicodeEscape(scalar)
                        k += 3
                        runStart = k
                        continue
                    }
                    if needsEscape {
                        bytes(UnsafeBufferPointer(rebasing: buf[runStart..<k]))
                        if esc != 0 {
                            byte(0x5C)
                            byte(esc)
                        } else {
                            unicodeEscape(UInt32(c))
                        }
                        runStart = k + 1
                    }
                    k += 1
                }
                bytes(UnsafeBufferPointer(rebasing: buf[runStart..<n]))
            }
        }

        /// `\uXXXX` for a scalar below U+10000.
        private mutating func unicodeEscape(_ v: UInt32) {
            byte(0x5C)
            byte(UInt8(ascii: "u"))
            byte(JSONWriter.hex[Int((v >> 12) & 15)])
            byte(JSONWriter.hex[Int((v >> 8) & 15)])
            byte(JSONWriter.hex[Int((v >> 4) & 15)])
            byte(JSONWriter.hex[Int(v & 15)])
        }
    }

    /// Whether a byte is not plain: below 0x20, `"`, `\\`, DEL, or not ASCII (which the byte path
    /// looks at more closely). ``escapeBits(_:)`` is this test on eight bytes at once.
    @inline(__always) static func needsEscape(_ b: UInt8) -> Bool { b < 0x20 || b == 0x22 || b == 0x5C || b >= 0x7F }

    /// Whether eight bytes need no escaping: ASCII, none below 0x20, no `"`, `\\` or DEL.
    @inline(__always) static func plain(_ w: UInt64) -> Bool { escapeBits(w) == 0 }

    /// Zero when none of eight bytes needs escaping (ASCII, none below 0x20, no `"`, `\\` or
    /// DEL), not zero otherwise. Bitwise tests on the word without a branch: a byte of 0x7F or
    /// more sets its high bit in `(w + 1) | w`; with none such, each of the others is exact for
    /// "is there any such byte" (Hacker's Delight's has-less and has-zero).
    @inline(__always) static func escapeBits(_ w: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        let quote = w ^ 0x2222_2222_2222_2222, backslash = w ^ 0x5C5C_5C5C_5C5C_5C5C
        let high = (w &+ ones) | w
        let control = (w &- 0x2020_2020_2020_2020) & ~w
        let zeros = ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash)
        return (high | control | zeros) & highs
    }

    /// The scalar to write as `\uXXXX` for U+2028, U+2029, U+202A–U+202E and U+2066–U+2069
    /// (UTF-8 `E2 80 xx`, `E2 81 xx`), nil for anything else after `E2`.
    static func escapedE2(_ b1: UInt8, _ b2: UInt8) -> UInt32? {
        if b1 == 0x80, b2 >= 0xA8, b2 <= 0xAE { return 0x2000 + UInt32(b2 - 0x80) }
        if b1 == 0x81, b2 >= 0xA6, b2 <= 0xA9 { return 0x2040 + UInt32(b2 - 0x80) }
        return nil
    }

    /// Appends raw ASCII text (already valid JSON).
    public mutating func raw(_ s: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    /// Appends an integer (its digits written by ``Cursor/int(_:)``; beyond `Int`, its text).
    public mutating func int<I: BinaryInteger>(_ v: I) {
        guard let n = Int(exactly: v) else { bytes.append(contentsOf: String(v).utf8); return }
        withRoom(20) { $0.int(n) }
    }

    /// Appends a number; non-finite values become `null` (JSON has no NaN).
    public mutating func double(_ v: Double) {
        guard v.isFinite else { raw("null"); return }
        if v == v.rounded(), abs(v) < 1e15 { int(Int64(v)); return }
        bytes.append(contentsOf: String(v).utf8)
    }

    /// Appends `"key":`.
    public mutating func key(_ k: StaticString) {
        bytes.append(0x22)
        raw(k)
        bytes.append(0x22)
        bytes.append(0x3A)
    }

    /// Appends `"key":` for a key known only at run time (escaped as a string).
    public mutating func dynamicKey(_ k: String) {
        string(k)
        bytes.append(0x3A)
    }

    /// Appends `true` or `false`.
    public mutating func bool(_ b: Bool) { b ? raw("true") : raw("false") }

    /// Appends the string, or `null` when there is none.
    public mutating func optionalString(_ s: String?) {
        if let s { string(s) } else { raw("null") }
    }

    /// Appends any JSON value; object keys are sorted.
    public mutating func value(_ v: JSONValue) {
        switch v {
        case .null: raw("null")
        case .bool(let b): b ? raw("true") : raw("false")
        case .int(let i): int(i)
        case .double(let d): double(d)
        case .string(let s): string(s)
        case .array(let a):
            bytes.append(UInt8(ascii: "["))
            for (n, e) in a.enumerated() {
                if n > 0 { bytes.append(UInt8(ascii: ",")) }
                value(e)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let o):
            bytes.append(UInt8(ascii: "{"))
            for (n, k) in o.keys.sorted().enumerated() {
                if n > 0 { bytes.append(UInt8(ascii: ",")) }
                string(k)
                bytes.append(0x3A)
                value(o[k] ?? .null)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }
}
