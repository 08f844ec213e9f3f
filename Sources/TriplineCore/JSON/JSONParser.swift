/// A small JSON parser that works on bytes: one document per call, with a depth limit so that
/// hostile input cannot exhaust the stack. Errors carry the byte offset of the problem.
public struct JSONParser {
    /// Why a document could not be read.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// Byte offset (0-based) of the problem in the input.
        public let offset: Int
        /// What was wrong.
        public let reason: String
        public var description: String { "\(reason) at byte \(offset + 1)" }
    }

    /// Deepest nesting accepted.
    public static let maxDepth = 64

    let s: ByteSpan
    var i = 0

    init(_ s: ByteSpan) { self.s = s }

    /// Parses exactly one JSON value from `bytes` (surrounding whitespace allowed).
    public static func parse(_ bytes: ByteSpan) throws(Failure) -> JSONValue {
        var p = JSONParser(bytes)
        p.skipWS()
        let v = try p.value(depth: 0)
        p.skipWS()
        if p.i != p.s.count { throw Failure(offset: p.i, reason: "unexpected text after the JSON value") }
        return v
    }

    /// Parses a JSON object's members in document order, without building a dictionary for the
    /// top level (the hot path for NDJSON records); nil when the value is not an object.
    public static func parseObjectMembers(_ bytes: ByteSpan) throws(Failure) -> [(String, JSONValue)]? {
        var p = JSONParser(bytes)
        p.skipWS()
        guard p.i < p.s.count, p.s[p.i] == UInt8(ascii: "{") else {
            _ = try parse(bytes)
            return nil
        }
        let members = try p.members(depth: 0)
        p.skipWS()
        if p.i != p.s.count { throw Failure(offset: p.i, reason: "unexpected text after the JSON value") }
        return members
    }

    /// Parses a JSON value from a `String`.
    public static func parse(_ text: String) throws(Failure) -> JSONValue {
        var t = text
        let r: Result<JSONValue, Failure> = t.withUTF8 { buf in
            Result { () throws(Failure) -> JSONValue in try parse(ByteSpan(buf)) }
        }
        return try r.get()
    }

    mutating func skipWS() {
        while i < s.count {
            let c = s[i]
            if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { i += 1 } else { break }
        }
    }

    func fail(_ reason: String) -> Failure { Failure(offset: i, reason: reason) }

    mutating func value(depth: Int) throws(Failure) -> JSONValue {
        guard depth < JSONParser.maxDepth else { throw fail("JSON nested deeper than \(JSONParser.maxDepth) levels") }
        guard i < s.count else { throw fail("unexpected end of JSON") }
        switch s[i] {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"):
            guard s.matches("true", at: i) else { throw fail("invalid literal") }
            i += 4; return .bool(true)
        case UInt8(ascii: "f"):
            guard s.matches("false", at: i) else { throw fail("invalid literal") }
            i += 5; return .bool(false)
        case UInt8(ascii: "n"):
            guard s.matches("null", at: i) else { throw fail("invalid literal") }
            i += 4; return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try number()
        default:
            throw fail("unexpected character '\(printable(s[i]))'")
        }
    }

    func printable(_ c: UInt8) -> String {
        c >= 0x20 && c < 0x7F ? String(UnicodeScalar(c)) : "\\x" + String(c, radix: 16)
    }

    private mutating func object(depth: Int) throws(Failure) -> JSONValue {
        let m = try members(depth: depth)
        var out: [String: JSONValue] = Dictionary(minimumCapacity: m.count)
        for (k, v) in m { out[k] = v }
        return .object(out)
    }

    private mutating func members(depth: Int) throws(Failure) -> [(String, JSONValue)] {
        i += 1
        var out: [(String, JSONValue)] = []
        out.reserveCapacity(12)
        var first = true
        while let key = try nextKey(&first) { out.append((key, try value(depth: depth + 1))) }
        return out
    }

    private mutating func array(depth: Int) throws(Failure) -> JSONValue {
        i += 1
        var out: [JSONValue] = []
        var first = true
        while try nextElement(&first) { out.append(try value(depth: depth + 1)) }
        return .array(out)
    }

    private mutating func number() throws(Failure) -> JSONValue {
        let (start, isInt) = try scanNumber()
        // A whole number of up to 18 digits fits an Int64: read from the bytes, no text made.
        if isInt, i - start <= 18 {
            var v: Int64 = 0
            var k = s[start] == UInt8(ascii: "-") ? start + 1 : start
            while k < i { v = v &* 10 &+ Int64(s[k] &- 0x30); k += 1 }
            return .int(s[start] == UInt8(ascii: "-") ? -v : v)
        }
        let text = s.string(start, i)
        if isInt, let v = Int64(text) { return .int(v) }
        guard let d = Double(text) else { throw Failure(offset: start, reason: "invalid number") }
        return .double(d)
    }

    /// Moves past a number, checking its form; where it starts, and whether it is written as
    /// a whole number (no fraction or exponent).
    mutating func scanNumber() throws(Failure) -> (start: Int, isInt: Bool) {
        let start = i
        var isInt = true
        if s[i] == UInt8(ascii: "-") { i += 1 }
        let digitsStart = i
        while i < s.count, s[i] >= 0x30, s[i] <= 0x39 { i += 1 }
        guard i > digitsStart else { throw fail("invalid number") }
        if i < s.count, s[i] == UInt8(ascii: ".") {
            isInt = false; i += 1
            let f = i
            while i < s.count, s[i] >= 0x30, s[i] <= 0x39 { i += 1 }
            guard i > f else { throw fail("invalid number") }
        }
        if i < s.count, s[i] == UInt8(ascii: "e") || s[i] == UInt8(ascii: "E") {
            isInt = false; i += 1
            if i < s.count, s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-") { i += 1 }
            let e = i
            while i < s.count, s[i] >= 0x30, s[i] <= 0x39 { i += 1 }
            guard i > e else { throw fail("invalid number") }
        }
        return (start, isInt)
    }

    mutating func string() throws(Failure) -> String {
        i += 1
        let start = i
        // Fast path: no escapes.
        while i < s.count {
            let c = s[i]
            if c == UInt8(ascii: "\"") {
                let r = s.string(start, i)
                i += 1
                return r
            }
            if c == UInt8(ascii: "\\") { break }
            if c < 0x20 { throw fail("control character in a string") }
            i += 1
        }
        var bytes = [UInt8]()
        bytes.reserveCapacity(i - start + 16)
        for k in start..<i { bytes.append(s[k]) }
        while i < s.count {
            let c = s[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                return String(decoding: bytes, as: UTF8.self)
            }
            if c < 0x20 { throw fail("control character in a string") }
            if c != UInt8(ascii: "\\") { bytes.append(c); i += 1; continue }
            i += 1
            guard i < s.count else { break }
            let e = s[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""): bytes.append(0x22)
            case UInt8(ascii: "\\"): bytes.append(0x5C)
            case UInt8(ascii: "/"): bytes.append(0x2F)
            case UInt8(ascii: "b"): bytes.append(0x08)
            case UInt8(ascii: "f"): bytes.append(0x0C)
            case UInt8(ascii: "n"): bytes.append(0x0A)
            case UInt8(ascii: "r"): bytes.append(0x0D)
            case UInt8(ascii: "t"): bytes.append(0x09)
            case UInt8(ascii: "u"):
                var code = try hex4()
                if code >= 0xD800 && code < 0xDC00, s.matches("\\u", at: i) {
                    i += 2
                    let low = try hex4()
                    if low >= 0xDC00 && low < 0xE000 {
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    } else {
                        code = 0xFFFD
                    }
                }
                let scalar = Unicode.Scalar(code) ?? "\u{FFFD}"
                bytes.append(contentsOf: Array(String(Character(scalar)).utf8))
            default:
                throw Failure(offset: i - 1, reason: "invalid escape in a string")
            }
        }
        throw fail("unterminated string")
    }

    mutating func hex4() throws(Failure) -> UInt32 {
        guard i + 4 <= s.count else { throw fail("truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = s[i]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: throw fail("invalid \\u escape")
            }
            v = v * 16 + d
            i += 1
        }
        return v
    }
}
