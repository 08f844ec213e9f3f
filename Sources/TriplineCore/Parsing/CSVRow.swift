/// RFC 4180 CSV fields from bytes: commas, `"quoted, fields"`, `""` for a quote inside quotes.
enum CSVRow {
    /// The fields of one record, or nil when a quoted field is still open at the end (the record
    /// continues on the next line).
    static func fields(_ s: ByteSpan) -> [String]? {
        var out: [String] = []
        var i = 0
        while true {
            if s.at(i) == UInt8(ascii: "\"") {
                var bytes: [UInt8] = []
                var k = i + 1
                var closed = false
                while k < s.count {
                    let c = s[k]
                    if c == UInt8(ascii: "\"") {
                        if s.at(k + 1) == UInt8(ascii: "\"") { bytes.append(c); k += 2; continue }
                        closed = true
                        k += 1
                        break
                    }
                    bytes.append(c)
                    k += 1
                }
                guard closed else { return nil }
                // Anything between the closing quote and the comma is kept (lenient).
                let comma = s.firstIndex(of: UInt8(ascii: ","), from: k) ?? s.count
                if comma > k { bytes.append(contentsOf: UnsafeBufferPointer(start: s.base + k, count: comma - k)) }
                out.append(String(decoding: bytes, as: UTF8.self))
                if comma >= s.count { return out }
                i = comma + 1
            } else {
                let comma = s.firstIndex(of: UInt8(ascii: ","), from: i) ?? s.count
                out.append(s.string(i, comma))
                if comma >= s.count { return out }
                i = comma + 1
            }
        }
    }
}
