import Foundation
import Testing
@testable import TriplineCore

/// Line endings and encodings as other systems write them: CR, CRLF and LF end lines alike;
/// UTF-16 with a byte-order mark is read; without one it is refused with a message naming it.
@Suite struct EncodingTests {
    static let lines = (0..<12).map {
        "2026-01-15T10:00:\(String(format: "%02d", $0))Z web sshd[\(100 + $0)]: Failed password for röot from 203.0.113.9 port 22 ssh2"
    }

    @Test(arguments: ["\n", "\r\n", "\r"]) func everyLineEndingEndsALine(ending: String) throws {
        let path = try temporaryFile(Self.lines.joined(separator: ending) + ending, name: "end\(ending.utf8.count)\(ending.first == "\r" ? "cr" : "lf").log")
        let (events, summary) = readAll(path)
        #expect(events.count == 12, "\(summary.report())")
        #expect(events.map(\.line) == Array(1...12))
        #expect(events.allSatisfy { $0.user == "röot" && !$0.message.contains("\r") })
    }

    /// A file split into chunks anywhere reads the same (the CR rule is decided once per file).
    @Test func crLinesAcrossChunks() {
        let text = Array((Self.lines + Self.lines).joined(separator: "\r").utf8)
        var splitter = LineSplitter()
        var got: [String] = []
        for at in stride(from: 0, to: text.count, by: 7) {
            let piece = Array(text[at..<min(text.count, at + 7)])
            piece.withUnsafeBufferPointer { buf in
                splitter.push(ByteSpan(buf)) { if case .line(let l) = $0 { got.append(l.string(0, l.count)) } }
            }
        }
        splitter.finish { if case .line(let l) = $0 { got.append(l.string(0, l.count)) } }
        #expect(got == Self.lines + Self.lines)
    }

    static func utf16(_ text: String, bigEndian: Bool, mark: Bool) -> [UInt8] {
        var out: [UInt8] = mark ? (bigEndian ? [0xFE, 0xFF] : [0xFF, 0xFE]) : []
        for u in text.utf16 { out += bigEndian ? [UInt8(u >> 8), UInt8(u & 0xFF)] : [UInt8(u & 0xFF), UInt8(u >> 8)] }
        return out
    }

    @Test(arguments: [false, true]) func utf16WithAMarkIsRead(bigEndian: Bool) throws {
        // Enough lines to cross chunks, an emoji (a surrogate pair) in a user name.
        var all: [String] = []
        for i in 0..<40_000 { all.append("2026-01-15T10:\(String(format: "%02d", i / 1000 % 60)):00Z web sshd[\(i)]: Failed password for invalid user u🙂\(i) from 203.0.113.9 port 22 ssh2") }
        let path = try temporaryFile(Self.utf16(all.joined(separator: "\r\n") + "\r\n", bigEndian: bigEndian, mark: true), name: "u16\(bigEndian).log")
        let (events, summary) = readAll(path)
        #expect(events.count == 40_000, "\(summary.report())")
        #expect(events.first?.user == "u🙂0" && events.last?.user == "u🙂39999")
        #expect(summary.problemLines == 0)
    }

    @Test func utf16WithoutAMarkIsRefusedByName() throws {
        let path = try temporaryFile(Self.utf16(Self.lines.joined(separator: "\n"), bigEndian: false, mark: false), name: "u16nomark.log")
        let (events, summary) = readAll(path)
        #expect(events.isEmpty)
        #expect(summary.passedOver.first?.reason.contains("UTF-16") == true, "\(summary.passedOver)")
    }
}
