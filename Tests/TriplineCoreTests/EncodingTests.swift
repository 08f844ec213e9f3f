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

    /// Runs of empty lines are counted at once, and numbering stays right after them: LF and
    /// CRLF, split into chunks anywhere, inside an open CSV field too.
    @Test(arguments: ["\n", "\r\n"]) func blankRunsKeepLineNumbers(ending: String) throws {
        var text = ""
        var expected: [Int] = []
        var n = 0
        for (i, l) in Self.lines.enumerated() {
            text += l + ending
            n += 1
            expected.append(n)
            let blanks = i * 3 % 7
            text += String(repeating: ending, count: blanks)
            n += blanks
        }
        let path = try temporaryFile(text, name: "blank\(ending.utf8.count).log")
        let (events, summary) = readAll(path)
        #expect(events.map(\.line) == expected)
        #expect(summary.linesRead == n && summary.skipped[.blank] == n - 12)
        // In chunks of 5 bytes, the same pieces.
        var splitter = LineSplitter(), count = 0
        let bytes = Array(text.utf8)
        for at in stride(from: 0, to: bytes.count, by: 5) {
            Array(bytes[at..<min(bytes.count, at + 5)]).withUnsafeBufferPointer { buf in
                splitter.push(ByteSpan(buf)) { p in
                    if case .blankLines(let r) = p { count += r } else { count += 1 }
                }
            }
        }
        splitter.finish { p in if case .blankLines(let r) = p { count += r } else { count += 1 } }
        #expect(count == n)
        // Empty lines inside a quoted CSV field belong to it.
        let csv = "timestamp,user,source_ip,event_type,action,message\n2026-01-15T10:00:00Z,a,10.0.0.1,login,failed,\"one\n\n\n\ntwo\"\n\n\n2026-01-15T10:01:00Z,b,10.0.0.1,login,failed,x\n"
        let (rows, s2) = readAll(try temporaryFile(csv, name: "blank\(ending.utf8.count).csv"))
        #expect(rows.map(\.message) == ["one\n\n\n\ntwo", "x"] && rows.map(\.line) == [2, 9], "\(s2.report())")
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
