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
                    if s.value >= PathName.escapeBase + 0x80, s.value <= PathName.escapeBase + 0xFF {
                        // A byte of a file name that is not UTF-8 (see PathName.string(fromBytes:)).
                        out += "\\x" + String(s.value - PathName.escapeBase, radix: 16)
                        continue
                    }
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

    /// A name (a user, an address, a host) shown so that two different names never look alike:
    /// ``sanitize(_:)``, and spaces at either end and characters that take no room or look like
    /// a space (zero-width spaces and joiners, the byte-order mark, no-break and other Unicode
    /// spaces, soft hyphens) shown as escapes. `admin ` (a real attacker's try) reads `admin\x20`,
    /// not `admin`.
    public static func distinguishable(_ name: String) -> String {
        let scalars = Array(name.unicodeScalars)
        guard scalars.contains(where: { isControl($0) || isInvisible($0) }) || scalars.first == " " || scalars.last == " " else {
            return name
        }
        var out = ""
        let firstKept = scalars.firstIndex { $0 != " " } ?? scalars.count
        let lastKept = scalars.lastIndex { $0 != " " } ?? -1
        for (i, s) in scalars.enumerated() {
            if s == " ", i < firstKept || i > lastKept {
                out += "\\x20"
            } else if isInvisible(s) {
                out += "\\u{" + String(s.value, radix: 16) + "}"
            } else if isControl(s) {
                out += sanitize(String(s))
            } else {
                out.unicodeScalars.append(s)
            }
        }
        return out
    }

    /// Characters that take no room or look like an ordinary space.
    static func isInvisible(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0xA0, 0xAD, 0x034F, 0x115F, 0x1160, 0x180E, 0x2000...0x200F, 0x2028, 0x2029, 0x202F, 0x205F...0x2064, 0x3000, 0x3164, 0xFEFF, 0xFFA0:
            return true
        default:
            return false
        }
    }

    /// C0 controls, DEL, C1 controls, and the bidirectional overrides that can reorder what is shown.
    @inlinable public static func isControl(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        return v < 0x20 || v == 0x7F || (v >= 0x80 && v < 0xA0) || (v >= 0x202A && v <= 0x202E) || (v >= 0x2066 && v <= 0x2069)
            || (v >= 0x10FF80 && v <= 0x10FFFF)
    }
}
