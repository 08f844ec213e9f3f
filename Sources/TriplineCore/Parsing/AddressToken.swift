/// Recognises the address part of a log message: an IPv4 or IPv6 address or a DNS name, as
/// sshd and PAM log them, and normalises IPv4-mapped IPv6 (`::ffff:1.2.3.4` → `1.2.3.4`).
enum AddressToken {
    /// Whether `[a, b)` can be an address or host name: letters, digits, `.`, `:`, `-`, `_`, `%`.
    static func isValid(_ s: ByteSpan, _ a: Int, _ b: Int) -> Bool {
        guard b > a, b - a <= 255 else { return false }
        var k = a
        while k < b {
            let c = s[k]
            let ok = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
                || c == 0x2E || c == 0x3A || c == 0x2D || c == 0x5F || c == 0x25
            if !ok { return false }
            k += 1
        }
        return true
    }

    /// The address text of `[a, b)`, normalised; nil when it is not a valid address.
    static func text(_ s: ByteSpan, _ a: Int, _ b: Int) -> String? {
        guard isValid(s, a, b) else { return nil }
        var start = a
        if s.matches("::ffff:", at: a) || s.matches("::FFFF:", at: a) {
            // Only when what follows is dotted IPv4.
            if s.slice(a + 7, b).firstIndex(of: UInt8(ascii: ".")) != nil { start = a + 7 }
        }
        return s.string(start, b)
    }
}
