import Testing
@testable import TriplineCore

/// The one line rule, whatever the chunks the bytes arrive in.
@Suite struct LineSplitterTests {
    enum Got: Equatable { case line([UInt8]), tooLong }

    static func split(_ bytes: [UInt8], chunks: [Int]) -> [Got] {
        var s = LineSplitter()
        var out: [Got] = []
        func take(_ p: LineSplitter.Piece) {
            switch p {
            case .line(let l): out.append(.line((0..<l.count).map { l[$0] }))
            case .tooLong: out.append(.tooLong)
            // A run of empty lines is so many empty lines (the CR of a CRLF kept, as a line's is).
            case .blankLines(let n): for _ in 0..<n { out.append(.line([])) }
            }
        }
        var at = 0, k = 0
        while at < bytes.count {
            let n = min(chunks[k % chunks.count], bytes.count - at)
            bytes[at..<(at + n)].withUnsafeBufferPointer { s.push(ByteSpan($0), take) }
            at += n
            k += 1
        }
        s.finish(take)
        return out
    }

    @Test func chunkBoundariesChangeNothing() {
        let max = LineSplitter.maxLineBytes
        var input: [UInt8] = Array("first\n\nthird line\r\n".utf8)
        input += [UInt8](repeating: 0x41, count: max) + [0x0A]          // exactly the limit: a line
        input += [UInt8](repeating: 0x42, count: max + 1) + [0x0A]      // one over: skipped whole
        input += Array("after\n".utf8)
        input += [UInt8](repeating: 0x43, count: 3 * max)               // over-long, no newline at the end
        let whole = Self.split(input, chunks: [input.count])
        #expect(whole.count == 7)
        #expect(whole[0] == .line(Array("first".utf8)) && whole[1] == .line([]))
        #expect(whole[3] == .line([UInt8](repeating: 0x41, count: max)))
        #expect(whole[4] == .tooLong)
        #expect(Array(whole.suffix(2)) == [.line(Array("after".utf8)), .tooLong])
        for chunks in [[1], [7, 3], [4096], [65_536, 1], [max - 1], [max + 1]] {
            #expect(Self.split(input, chunks: chunks) == whole, "chunks \(chunks)")
        }
    }

    @Test func anUnfinishedLastLineIsALine() {
        #expect(Self.split(Array("a\nb".utf8), chunks: [1]) == [.line([0x61]), .line([0x62])])
        #expect(Self.split([], chunks: [1]) == [])
    }

    /// The reader and the follower count the same lines the same way (line numbers in evidence
    /// agree with what batch and the MCP lookup count).
    @Test func theReaderSkipsWhatTheSplitterSkips() {
        var text = "2026-01-10T10:00:00Z web sshd[1]: Failed password for root from 203.0.113.9 port 22 ssh2\n"
        text += String(repeating: "x", count: LineSplitter.maxLineBytes + 5) + "\n"
        text += "2026-01-10T10:00:01Z web sshd[2]: Failed password for root from 203.0.113.9 port 22 ssh2\n"
        var lines: [Int] = []
        let summary = LogReader().read(bytes: Array(text.utf8), name: "x.log") { lines.append($0.line) }
        #expect(lines == [1, 3])
        #expect(summary.linesRead == 3)
    }
}
