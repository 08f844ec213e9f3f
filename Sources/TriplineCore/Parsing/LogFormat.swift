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
        let head = s.slice(0, min(s.count, 4096))
        if head.firstIndex(of: 0) != nil { return nil }
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
            if case .object = try? JSONParser.parse(line) { return .ndjson }
            return .json
        default:
            break
        }
        if line.firstIndex(of: UInt8(ascii: ",")) != nil, let cols = CSVRow.fields(line) {
            let names = Set(cols.map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
            if !names.isDisjoint(with: StructuredRecordMapper.timestampKeys) { return .csv }
        }
        return .syslog
    }
}

import Foundation
