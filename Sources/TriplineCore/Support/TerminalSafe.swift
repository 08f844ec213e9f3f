/// Makes attacker-controlled text safe to print on a terminal: control characters (C0, DEL,
/// C1), which could move the cursor, retitle the window or change colours, are shown as visible
/// escapes (`\x1b`), and nothing else changes.
public enum TerminalSafe {
    /// `text` with every control character replaced by `\xNN` (or `\t`, `\n`, `\r`).
    public static func sanitize(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 8)
        for s in text.unicodeScalars {
            if isControl(s) {
                switch s {
                case "\t": out += "\\t"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                default:
                    let hex = String(s.value, radix: 16)
                    out += s.value <= 0xFF ? "\\x" + (hex.count == 1 ? "0" + hex : hex) : "\\u{" + hex + "}"
                }
            } else {
                out.unicodeScalars.append(s)
            }
        }
        return out
    }

    /// `text` made safe line by line: its newlines stay (it is several lines meant for people);
    /// every other control character is shown as an escape, as ``sanitize(_:)`` does.
    public static func sanitizeLines(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { isControl($0) && $0 != "\n" }) else { return text }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { sanitize(String($0)) }.joined(separator: "\n")
    }

    /// C0 controls, DEL, C1 controls, and the bidirectional overrides that can reorder what is shown.
    @inlinable public static func isControl(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        return v < 0x20 || v == 0x7F || (v >= 0x80 && v < 0xA0) || (v >= 0x202A && v <= 0x202E) || (v >= 0x2066 && v <= 0x2069)
    }
}
