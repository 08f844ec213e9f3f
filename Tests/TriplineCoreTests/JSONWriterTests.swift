import Foundation
import Testing
@testable import TriplineCore

/// The writer's escaping, which skips plain ASCII sixteen and eight bytes at a time, against the rule written
/// out byte by byte: quotes, backslashes, controls, DEL, C1 controls, line separators and
/// bidirectional overrides escaped, everything else as it is.
@Suite struct JSONWriterTests {
    static func reference(_ s: String) -> [UInt8] {
        var out: [UInt8] = [0x22]
        let b = Array(s.utf8)
        let hex = Array("0123456789abcdef".utf8)
        func u(_ v: UInt32) { out += [0x5C, 0x75] + [12, 8, 4, 0].map { hex[Int((v >> UInt32($0)) & 15)] } }
        var k = 0
        while k < b.count {
            let c = b[k]
            switch c {
            case 0x22: out += [0x5C, 0x22]
            case 0x5C: out += [0x5C, 0x5C]
            case 0x0A: out += [0x5C, 0x6E]
            case 0x0D: out += [0x5C, 0x72]
            case 0x09: out += [0x5C, 0x74]
            case 0..<0x20, 0x7F: u(UInt32(c))
            case 0xC2 where k + 1 < b.count && (0x80...0x9F).contains(b[k + 1]):
                u(UInt32(b[k + 1])); k += 1
            case 0xE2 where k + 2 < b.count && ((b[k + 1] == 0x80 && (0xA8...0xAE).contains(b[k + 2])) || (b[k + 1] == 0x81 && (0xA6...0xA9).contains(b[k + 2]))):
                u(UInt32(b[k + 1] == 0x80 ? 0x2000 : 0x2040) + UInt32(b[k + 2] - 0x80)); k += 2
            default: out.append(c)
            }
            k += 1
        }
        return out + [0x22]
    }

    @Test func escapingMatchesTheRuleByteForByte() {
        let pieces = ["a", "plain text ", "\"", "\\", "\n", "\r", "\t", "\u{01}", "\u{1F}", "\u{7F}", "\u{9B}", "\u{85}", "é", "\u{2028}",
                      "\u{2029}", "\u{202E}", "\u{2066}", "\u{2069}", "\u{2030}", "日本", "🙂", "0123456789abcdef", " ", "~"]
        var rng = SplitMix64(seed: 11)
        for _ in 0..<3000 {
            var s = ""
            for _ in 0..<Int(rng.next() % 24) { s += pieces[Int(rng.next() % UInt64(pieces.count))] }
            var w = JSONWriter()
            w.string(s)
            #expect(w.bytes == Self.reference(s), "\(s.debugDescription)")
        }
    }

    /// The room made for a string holds its longest escaping: six bytes for each byte of a
    /// control character (filled to the byte), fewer for the rest.
    /// Plain runs are passed over sixteen and eight bytes at a time: each ASCII byte, at each
    /// place in and around those blocks, is still escaped where the rule says.
    @Test func everyASCIIByteAtEveryPlaceOfABlockIsEscaped() {
        let plain = Array("The quick brown fox jumps over the lazy dog".utf8)
        for b in UInt8(0)...0x7F {
            for at in 0..<40 {
                var bytes = plain
                bytes[at] = b
                let s = String(decoding: bytes, as: UTF8.self)
                var w = JSONWriter()
                w.string(s)
                #expect(w.bytes == Self.reference(s), "byte \(b) at \(at)")
            }
        }
    }

    /// Strings of 1 to 17 bytes: the last one to seven bytes of each are tested as one padded
    /// word, so each ASCII byte goes at each place of each length, and a C1 control and a line
    /// separator at the end.
    @Test func everyASCIIByteAtEveryPlaceOfAShortStringOrTailIsEscaped() {
        for length in 1...17 {
            for at in 0..<length {
                for b in UInt8(0)...0x7F {
                    var bytes = Array(repeating: UInt8(ascii: "x"), count: length)
                    bytes[at] = b
                    let s = String(decoding: bytes, as: UTF8.self)
                    var w = JSONWriter()
                    w.string(s)
                    #expect(w.bytes == Self.reference(s), "byte \(b) at \(at) of \(length)")
                }
            }
            for tail in ["\u{9B}", "\u{2028}", "\u{202E}", "é"] {
                let s = String(repeating: "x", count: length) + tail
                var w = JSONWriter()
                w.string(s)
                #expect(w.bytes == Self.reference(s), "\(tail.debugDescription) after \(length)")
            }
        }
    }

    /// Plain runs are copied by size (overlapping words up to 16 bytes, `memmove` beyond): every
    /// length from 0 to 80, each byte different, alone and between two escapes, comes out whole.
    @Test func plainRunsOfEveryLengthAreCopiedWhole() {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".utf8)
        for length in 0...80 {
            let run = String(decoding: (0..<length).map { alphabet[$0 % alphabet.count] }, as: UTF8.self)
            for s in [run, "\"" + run + "\n", "\u{2028}" + run] {
                var w = JSONWriter()
                w.string(s)
                #expect(w.bytes == Self.reference(s), "length \(length): \(s.debugDescription)")
            }
        }
    }

    @Test func theRoomMadeForAStringHoldsItsWorstCase() {
        for piece in ["\u{01}", "\u{9B}", "\u{2028}", "\"", "\\", "a", "日"] {
            let s = String(repeating: piece, count: 5000)
            var w = JSONWriter()
            w.string(s)
            #expect(w.bytes == Self.reference(s), "\(piece.debugDescription)")
            #expect(w.bytes.count <= JSONWriter.Cursor.room(s))
        }
        #expect(JSONWriter.Cursor.room(String(repeating: "\u{01}", count: 5000)) == 6 * 5000 + 2)
    }

    /// An event whose every field is at its longest escaping, and numbers at their widest, is
    /// written whole and reads back as it was.
    @Test func anEventOfWorstCaseFieldsIsWrittenWhole() throws {
        let s = String(repeating: "\u{01}\u{9B}\u{2028}\"", count: 200)
        var e = LogEvent(timestamp: Timestamp(microseconds: -62_000_000_000_123_456), host: s, program: s, pid: Int.min, user: s, sourceIP: s,
                         sourcePort: Int.min, action: s, authMethod: s, invalidUser: true, targetUser: s, command: s, message: s, file: s,
                         line: Int.min, extra: ["k" + s: .string(s)])
        e.repeatCount = Int.max
        var w = JSONWriter()
        w.raw("[")
        e.writeJSON(to: &w)
        w.raw("]")
        let decoded = try #require(try JSONSerialization.jsonObject(with: Data(w.bytes)) as? [[String: Any]])
        let o = try #require(decoded.first)
        for key in ["host", "program", "user", "source_ip", "action", "auth_method", "target_user", "command", "message", "file", "k" + s] {
            #expect(o[key] as? String == s, "\(key)")
        }
        #expect((o["pid"] as? NSNumber)?.int64Value == Int64.min)
        #expect((o["repeat_count"] as? NSNumber)?.int64Value == Int64.max)
    }

    @Test func integersAreWrittenAsDecimal() {
        for v in [0, 7, -7, 10, 1234567890, Int.max, Int.min, -1] {
            var w = JSONWriter()
            w.int(v)
            #expect(String(decoding: w.bytes, as: UTF8.self) == String(v))
        }
        var w = JSONWriter()
        w.int(UInt64.max)
        #expect(String(decoding: w.bytes, as: UTF8.self) == String(UInt64.max))
        // The cursor writes digits straight into place: each length, each sign, the extremes.
        var rng = SplitMix64(seed: 3)
        var values = [0, 9, 10, -9, -10, 99, 100, Int.max, Int.min, Int.max - 1, Int.min + 1]
        for digits in 1...18 {
            let p = (1..<digits).reduce(1) { a, _ in a * 10 }
            values += [p - 1, p, -p, -(p - 1), p + Int(rng.next() % UInt64(p))]
        }
        for v in values {
            var c = JSONWriter()
            c.withRoom(20) { $0.int(v) }
            #expect(String(decoding: c.bytes, as: UTF8.self) == String(v))
        }
    }
    /// The word test behind the skipping, against its definition, for every byte value (ASCII or
    /// not, which a valid string cannot hold alone) at every place of words around the edges of
    /// plain (`\u{1F}`/space, `!`/`"`, `[`/`\\`/`]`, `~`/DEL), and next to a byte that carries or
    /// borrows into it; then random words.
    @Test func theWordTestIsZeroExactlyWhenNoByteNeedsEscaping() {
        func needs(_ b: UInt8) -> Bool { b < 0x20 || b == 0x22 || b == 0x5C || b >= 0x7F }
        func definition(_ w: UInt64) -> Bool { (0..<8).contains { needs(UInt8(truncatingIfNeeded: w >> ($0 * 8))) } }
        func word(_ bytes: [UInt8]) -> UInt64 { bytes.enumerated().reduce(0) { $0 | UInt64($1.element) << ($1.offset * 8) } }
        for background: UInt8 in [0x20, 0x21, 0x23, 0x5B, 0x5D, 0x7E, 0x41] {
            for b in UInt8(0)...0xFF {
                for at in 0..<8 {
                    var bytes = Array(repeating: background, count: 8)
                    bytes[at] = b
                    let w = word(bytes)
                    #expect((JSONWriter.escapeBits(w) != 0) == definition(w), "byte \(b) at \(at) among \(background)")
                    if at < 7 {
                        for next: UInt8 in [0x00, 0x01, 0x1F, 0x20, 0x7E, 0x7F, 0xFF] {
                            bytes[at + 1] = next
                            let w2 = word(bytes)
                            #expect((JSONWriter.escapeBits(w2) != 0) == definition(w2), "byte \(b) at \(at), then \(next)")
                            bytes[at + 1] = background
                        }
                    }
                }
            }
        }
        var rng = SplitMix64(seed: 29)
        for _ in 0..<200_000 {
            // Bytes drawn mostly from the printable range, so that words without one to escape come up.
            var bytes = [UInt8]()
            for _ in 0..<8 { let r = rng.next(); bytes.append(r % 8 == 0 ? UInt8(truncatingIfNeeded: r >> 8) : UInt8(0x20 + (r >> 8) % 0x60)) }
            let w = word(bytes)
            #expect((JSONWriter.escapeBits(w) != 0) == definition(w), "word \(String(w, radix: 16))")
        }
    }
}
