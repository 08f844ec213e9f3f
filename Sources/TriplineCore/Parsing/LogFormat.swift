/// The input formats Tripline reads.
public enum LogFormat: String, Sendable, CaseIterable, Codable {
    /// One JSON object per line.
    case ndjson
    /// A JSON array of objects, or an object holding one (`{"logs": [...]}`, the API body).
    case json
    /// CSV with a header row.
    case csv
    /// Syslog text (classic, ISO/RFC 3339, RFC 5424).
    case syslog

    /// Guesses the format of a file from its first non-blank line; nil when the start of the
    /// file looks binary.
    public static func detect(firstBytes s: ByteSpan) -> LogFormat? {
        if isBinary(s) { return nil }
        var i = 0
        while i < s.count, s[i] == 0x20 || s[i] == 0x0A || s[i] == 0x0D || s[i] == 0x09 { i += 1 }
        if s.matches("\u{FEFF}", at: i) { i += 3 }
        guard i < s.count else { return .syslog }
        let lineEnd = s.firstIndex(of: 0x0A, from: i) ?? s.count
        var line = s.slice(i, lineEnd)
        if line.hasSuffix("\r") { line = line.slice(0, line.count - 1) }
        switch line.at(0) {
        case UInt8(ascii: "["):
            // "[sshd]: …" is a syslog tag without a timestamp, not JSON; JSON arrays open with [ then { or whitespace.
            let next = line.skipSpaces(from: 1)
            if next >= line.count || line.at(next) == UInt8(ascii: "{") || line.at(next) == UInt8(ascii: "]") { return .json }
            return .syslog
        case UInt8(ascii: "{"):
            if case .object(let o) = try? JSONParser.parse(line) {
                // A one-line API body ({"logs": [...]}) is a document, not a record.
                let hasTime = o.keys.contains(where: StructuredRecordMapper.isTimestampKey)
                if !hasTime, o.values.contains(where: { if case .array = $0 { return true } else { return false } }) { return .json }
                return .ndjson
            }
            return .json
        default:
            break
        }
        if line.firstIndex(of: UInt8(ascii: ",")) != nil, let cols = CSVRow.fields(line) {
            if cols.contains(where: { StructuredRecordMapper.isTimestampKey($0.trimmingCharacters(in: .whitespaces)) }) { return .csv }
        }
        return .syslog
    }

    /// Compressed or binary content: a known compression magic number, a NUL in the first
    /// line, or mostly control bytes at the start. A stray NUL later (after a crash) is not enough.
    static func isBinary(_ s: ByteSpan) -> Bool {
        let magic: [[UInt8]] = [[0x1F, 0x8B], [0x42, 0x5A, 0x68], [0xFD, 0x37, 0x7A, 0x58, 0x5A], [0x28, 0xB5, 0x2F, 0xFD]]
        for m in magic where s.count >= m.count && (0..<m.count).allSatisfy({ s[$0] == m[$0] }) { return true }
        let head = s.slice(0, min(s.count, 4096))
        let firstLineEnd = head.firstIndex(of: 0x0A) ?? head.count
        if head.slice(0, firstLineEnd).firstIndex(of: 0) != nil { return true }
        var control = 0
        for k in 0..<head.count {
            let c = head[k]
            if c < 0x20, c != 0x09, c != 0x0A, c != 0x0D { control += 1 }
        }
        return head.count > 0 && control * 10 > head.count * 3
    }
}

import Foundation
