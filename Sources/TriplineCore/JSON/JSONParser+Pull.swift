/// Reading a document piece by piece, for a reader that knows its shape (the model file):
/// values are read where they are, into the reader's own types, with no tree of ``JSONValue``
/// built first. Every step checks what it passes over as ``JSONParser/parse(_:)-swift.type.method``
/// does, with the same reasons.
extension JSONParser {
    /// A parser at byte `offset` of `bytes`.
    init(_ bytes: ByteSpan, at offset: Int) {
        self.init(bytes)
        i = offset
    }

    /// Where the parser is (a byte offset).
    var offset: Int { i }

    /// The next byte that is not whitespace, not taken (nil at the end).
    mutating func peek() -> UInt8? {
        skipWS()
        return i < s.count ? s[i] : nil
    }

    /// Takes the byte ``peek()`` returned (an object's `{` or a list's `[`, about to be read).
    mutating func advance() { i += 1 }

    /// The next key of the object whose `{` was taken (nil at its `}`), with the parser then at
    /// the key's value; `first` is true for the first call on an object.
    mutating func nextKey(_ first: inout Bool) throws(Failure) -> String? {
        skipWS()
        if first {
            first = false
            if i < s.count, s[i] == UInt8(ascii: "}") { i += 1; return nil }
        } else {
            guard i < s.count else { throw fail("unexpected end of JSON in an object") }
            switch s[i] {
            case UInt8(ascii: ","): i += 1
            case UInt8(ascii: "}"): i += 1; return nil
            default: throw fail("expected ',' or '}' in an object")
            }
            skipWS()
        }
        guard i < s.count, s[i] == UInt8(ascii: "\"") else { throw fail("expected a quoted key") }
        let key = try string()
        skipWS()
        guard i < s.count, s[i] == UInt8(ascii: ":") else { throw fail("expected ':' after key \"\(key)\"") }
        i += 1
        skipWS()
        return key
    }

    /// Whether the list whose `[` was taken has another element (the parser is then at it);
    /// `first` is true for the first call on a list.
    mutating func nextElement(_ first: inout Bool) throws(Failure) -> Bool {
        skipWS()
        if first {
            first = false
            if i < s.count, s[i] == UInt8(ascii: "]") { i += 1; return false }
        } else {
            guard i < s.count else { throw fail("unexpected end of JSON in an array") }
            switch s[i] {
            case UInt8(ascii: ","): i += 1
            case UInt8(ascii: "]"): i += 1; return false
            default: throw fail("expected ',' or ']' in an array")
            }
            skipWS()
        }
        return true
    }

    /// Moves past one value nested `depth` levels deep, checking it as ``value(depth:)`` would
    /// (the depth limit too), without building it.
    mutating func skipValue(depth: Int) throws(Failure) {
        guard depth < JSONParser.maxDepth else { throw fail("JSON nested deeper than \(JSONParser.maxDepth) levels") }
        guard i < s.count else { throw fail("unexpected end of JSON") }
        switch s[i] {
        case UInt8(ascii: "{"):
            i += 1
            var first = true
            while try nextKey(&first) != nil { try skipValue(depth: depth + 1) }
        case UInt8(ascii: "["):
            i += 1
            var first = true
            while try nextElement(&first) { try skipValue(depth: depth + 1) }
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "t"):
            guard s.matches("true", at: i) else { throw fail("invalid literal") }
            i += 4
        case UInt8(ascii: "f"):
            guard s.matches("false", at: i) else { throw fail("invalid literal") }
            i += 5
        case UInt8(ascii: "n"):
            guard s.matches("null", at: i) else { throw fail("invalid literal") }
            i += 4
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            _ = try scanNumber()
        default:
            throw fail("unexpected character '\(printable(s[i]))'")
        }
    }

    /// Moves past a string, checking it as ``string()`` does.
    mutating func skipString() throws(Failure) {
        i += 1
        while i < s.count {
            let c = s[i]
            if c == UInt8(ascii: "\"") { i += 1; return }
            if c < 0x20 { throw fail("control character in a string") }
            i += 1
            guard c == UInt8(ascii: "\\") else { continue }
            guard i < s.count else { break }
            let e = s[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                 UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                continue
            case UInt8(ascii: "u"):
                let code = try hex4()
                if code >= 0xD800 && code < 0xDC00, s.matches("\\u", at: i) {
                    i += 2
                    _ = try hex4()
                }
            default:
                throw Failure(offset: i - 1, reason: "invalid escape in a string")
            }
        }
        throw fail("unterminated string")
    }
}
