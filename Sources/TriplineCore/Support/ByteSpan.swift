/// A read-only view of bytes (one log line, usually) with the small set of scanning helpers
/// the parsers need. It never copies: it is only valid while the memory it points into is.
///
/// Parsers work on bytes rather than `String` so that a line costs a handful of comparisons,
/// not a round of Unicode processing and allocations.
public struct ByteSpan {
    @usableFromInline let base: UnsafePointer<UInt8>
    /// Number of bytes in the span.
    public let count: Int

    /// A span over `count` bytes at `base`.
    @inlinable public init(base: UnsafePointer<UInt8>, count: Int) {
        self.base = base
        self.count = count
    }

    /// A span over the bytes of a buffer pointer (empty when the buffer has no base address).
    @inlinable public init(_ buffer: UnsafeBufferPointer<UInt8>) {
        if let b = buffer.baseAddress {
            self.init(base: b, count: buffer.count)
        } else {
            self.init(base: ByteSpan.emptyBase, count: 0)
        }
    }

    @usableFromInline nonisolated(unsafe) static let emptyBase: UnsafePointer<UInt8> = {
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
        p.initialize(to: 0)
        return UnsafePointer(p)
    }()

    /// The byte at `i` (unchecked beyond a debug assertion).
    @inlinable public subscript(i: Int) -> UInt8 {
        assert(i >= 0 && i < count)
        return base[i]
    }

    /// The byte at `i`, or 0 when `i` is out of range.
    @inlinable public func at(_ i: Int) -> UInt8 {
        (i >= 0 && i < count) ? base[i] : 0
    }

    /// The sub-span `[from, to)`, clamped to the span.
    @inlinable public func slice(_ from: Int, _ to: Int) -> ByteSpan {
        let f = max(0, min(from, count))
        let t = max(f, min(to, count))
        return ByteSpan(base: base + f, count: t - f)
    }

    /// The sub-span from `from` to the end.
    @inlinable public func suffix(from: Int) -> ByteSpan { slice(from, count) }

    /// Whether the bytes at `offset` equal `pattern`.
    @inlinable public func matches(_ pattern: StaticString, at offset: Int) -> Bool {
        let n = pattern.utf8CodeUnitCount
        guard offset >= 0, offset + n <= count else { return false }
        return memcmp(base + offset, pattern.utf8Start, n) == 0
    }

    /// Whether the span starts with `pattern`.
    @inlinable public func hasPrefix(_ pattern: StaticString) -> Bool { matches(pattern, at: 0) }

    /// Whether the span ends with `pattern`.
    @inlinable public func hasSuffix(_ pattern: StaticString) -> Bool {
        matches(pattern, at: count - pattern.utf8CodeUnitCount)
    }

    /// The first index of `byte` at or after `from`, or nil.
    @inlinable public func firstIndex(of byte: UInt8, from: Int = 0) -> Int? {
        guard from < count else { return nil }
        guard let p = memchr(base + from, Int32(byte), count - from) else { return nil }
        return base.distance(to: p.assumingMemoryBound(to: UInt8.self))
    }

    /// How many times `byte` occurs.
    @inlinable public func count(of byte: UInt8) -> Int {
        var n = 0
        var from = 0
        while let i = firstIndex(of: byte, from: from) { n += 1; from = i + 1 }
        return n
    }

    /// The last index of `byte` before `before` (exclusive), or nil.
    @inlinable public func lastIndex(of byte: UInt8, before: Int? = nil) -> Int? {
        var i = min(before ?? count, count) - 1
        while i >= 0 {
            if base[i] == byte { return i }
            i -= 1
        }
        return nil
    }

    /// The first index at or after `from` where `pattern` occurs, or nil.
    @inlinable public func find(_ pattern: StaticString, from: Int = 0) -> Int? {
        let n = pattern.utf8CodeUnitCount
        guard n > 0 else { return from }
        let first = pattern.utf8Start[0]
        var i = from
        while i + n <= count {
            guard let j = firstIndex(of: first, from: i) else { return nil }
            if j + n > count { return nil }
            if memcmp(base + j, pattern.utf8Start, n) == 0 { return j }
            i = j + 1
        }
        return nil
    }

    /// The last index before `before` where `pattern` starts, or nil.
    @inlinable public func findLast(_ pattern: StaticString, before: Int? = nil) -> Int? {
        let n = pattern.utf8CodeUnitCount
        var i = min(before ?? count, count) - n
        while i >= 0 {
            if memcmp(base + i, pattern.utf8Start, n) == 0 { return i }
            i -= 1
        }
        return nil
    }

    /// The index of the first byte at or after `from` that is not a space or tab.
    @inlinable public func skipSpaces(from: Int) -> Int {
        var i = from
        while i < count, base[i] == 0x20 || base[i] == 0x09 { i += 1 }
        return i
    }

    /// The index of the first space at or after `from`, or `count`.
    @inlinable public func endOfToken(from: Int) -> Int {
        var i = from
        while i < count, base[i] != 0x20 { i += 1 }
        return i
    }

    /// Parses a run of ASCII digits at `from`: the value and the index after it, or nil.
    @inlinable public func digits(at from: Int, max maxDigits: Int = 18) -> (value: Int, end: Int)? {
        var i = from
        var v = 0
        // At most 18 digits (a caller's larger `max` is held to it): the value fits in an Int, so
        // the arithmetic needs no overflow checks.
        let last = from + Swift.min(maxDigits, 18)
        while i < count, i < last {
            let d = base[i] &- 0x30
            guard d <= 9 else { break }
            v = v &* 10 &+ Int(d)
            i &+= 1
        }
        return i > from ? (v, i) : nil
    }

    /// Decodes `[from, to)` as UTF-8 (invalid sequences become U+FFFD).
    @inlinable public func string(_ from: Int, _ to: Int) -> String {
        let s = slice(from, to)
        return String(decoding: UnsafeBufferPointer(start: s.base, count: s.count), as: UTF8.self)
    }

    /// Decodes the whole span as UTF-8.
    @inlinable public var string: String { string(0, count) }

    /// The span with leading and trailing spaces and tabs removed.
    @inlinable public func trimmed() -> ByteSpan {
        var a = 0, b = count
        while a < b, base[a] == 0x20 || base[a] == 0x09 { a += 1 }
        while b > a, base[b - 1] == 0x20 || base[b - 1] == 0x09 { b -= 1 }
        return slice(a, b)
    }

    /// Whether every byte is ASCII (< 0x80).
    @inlinable public var isASCII: Bool {
        var i = 0
        // Eight bytes at a time.
        while i + 8 <= count {
            let w = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
            if w & 0x8080_8080_8080_8080 != 0 { return false }
            i += 8
        }
        while i < count {
            if base[i] >= 0x80 { return false }
            i += 1
        }
        return true
    }

    /// Whether the bytes are well-formed UTF-8.
    public var isValidUTF8: Bool {
        if isASCII { return true }
        return String(validating: UnsafeBufferPointer(start: base, count: count), as: UTF8.self) != nil
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
