#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Path names taken apart by their text, for every way a user writes one (`.`, `..`, `./x`,
/// `x/`, `//x`, names with spaces): Foundation's `NSString` path methods trap on some of these
/// (the parent of `"."`), and `URL` turns a name into a percent-escaped one.
public enum PathName {
    /// The folder a path names its last part in: `"a/b/c"` → `"a/b"`, `"c"` → `"."`,
    /// `"/c"` → `"/"`, `"a/b/"` → `"a"`, `"."` → `".."`, `"/"` → `"/"`.
    public static func parent(_ path: String) -> String {
        var bytes = Array(path.utf8)
        while bytes.count > 1, bytes.last == slash { bytes.removeLast() }
        if bytes.isEmpty { return "." }
        if bytes == [slash] { return "/" }
        let last = lastComponentBytes(bytes)
        if last == [dot] || last == [dot, dot] {
            // Its parent is the folder it names, one up.
            return String(decoding: bytes, as: UTF8.self) + "/.."
        }
        guard let cut = bytes.lastIndex(of: slash) else { return "." }
        var head = Array(bytes[..<cut])
        while head.count > 1, head.last == slash { head.removeLast() }
        return head.isEmpty ? "/" : String(decoding: head, as: UTF8.self)
    }

    /// The last part of a path: `"a/b/c"` → `"c"`, `"a/b/"` → `"b"`, `"/"` → `"/"`, `""` → `""`.
    public static func lastComponent(_ path: String) -> String {
        var bytes = Array(path.utf8)
        while bytes.count > 1, bytes.last == slash { bytes.removeLast() }
        if bytes == [slash] { return "/" }
        return String(decoding: lastComponentBytes(bytes), as: UTF8.self)
    }

    /// `path` made absolute (against the working folder) with `.`, `..` and repeated slashes
    /// taken out by their text (links are not followed): `"./x"` → `"/cwd/x"`,
    /// `"a/../b//c/"` → `"/cwd/b/c"`.
    public static func absolute(_ path: String) -> String {
        var parts: [Substring] = []
        var text = path
        if !text.hasPrefix("/") {
            text = workingFolder() + "/" + text
        }
        for part in text.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." { if !parts.isEmpty { parts.removeLast() }; continue }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }

    /// The working folder (`/` when it cannot be read).
    static func workingFolder() -> String {
        var buf = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buf, buf.count) != nil else { return "/" }
        let bytes = buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static let slash = UInt8(ascii: "/")
    private static let dot = UInt8(ascii: ".")

    private static func lastComponentBytes(_ bytes: [UInt8]) -> ArraySlice<UInt8> {
        guard let cut = bytes.lastIndex(of: slash) else { return bytes[...] }
        return bytes[(cut + 1)...]
    }
}
