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

    // MARK: Names that are not UTF-8

    /// A file name is bytes, not text: Linux allows any but `/` and NUL, and a log folder an
    /// attacker can write into may hold `h\xffx/auth.log`. Such a name is carried in a `String`
    /// with each byte that is not part of valid UTF-8 written as the scalar U+10FF00 + byte
    /// (in a private-use plane no real name uses), and turned back into the same bytes whenever
    /// a file is opened or looked at; ``TerminalSafe`` shows those scalars as `\xNN`.
    public static func string(fromBytes bytes: some Collection<UInt8>) -> String {
        let a = Array(bytes)
        if let s = String(validating: a, as: UTF8.self) { return s }
        var out = String.UnicodeScalarView()
        var i = 0
        while i < a.count {
            let n = validSequenceLength(a, at: i)
            if n > 0 {
                out.append(contentsOf: String(decoding: a[i..<(i + n)], as: UTF8.self).unicodeScalars)
                i += n
            } else {
                out.append(Unicode.Scalar(escapeBase + UInt32(a[i]))!)
                i += 1
            }
        }
        return String(out)
    }

    /// The bytes a name stands for (see ``string(fromBytes:)``), NUL-terminated for a system call.
    public static func fileSystemBytes(_ path: String) -> [CChar] {
        var out: [CChar] = []
        out.reserveCapacity(path.utf8.count + 1)
        for s in path.unicodeScalars {
            if s.value >= escapeBase + 0x80, s.value <= escapeBase + 0xFF {
                out.append(CChar(bitPattern: UInt8(s.value - escapeBase)))
            } else {
                for b in String(s).utf8 { out.append(CChar(bitPattern: b)) }
            }
        }
        out.append(0)
        return out
    }

    /// True when `path` holds a byte that is not UTF-8 (carried as ``string(fromBytes:)`` does).
    public static func hasRawBytes(_ path: String) -> Bool {
        path.unicodeScalars.contains { $0.value >= escapeBase + 0x80 && $0.value <= escapeBase + 0xFF }
    }

    /// The scalar a raw byte `b` is carried as is U+10FF00 + b.
    public static let escapeBase: UInt32 = 0x10FF00

    /// The command line's arguments (without the program's name), names that are not UTF-8
    /// kept by their bytes (``string(fromBytes:)``): Swift's `CommandLine.arguments` replaces
    /// such bytes with U+FFFD, and the file can then not be opened.
    public static func arguments() -> [String] {
        (1..<Int(CommandLine.argc)).map { i in
            guard let p = CommandLine.unsafeArgv[i] else { return "" }
            return string(fromBytes: UnsafeBufferPointer(start: UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self), count: strlen(p)))
        }
    }

    /// `open(2)` of a name carried as ``string(fromBytes:)`` does.
    public static func open(_ path: String, _ flags: Int32, _ mode: mode_t = 0) -> Int32 {
        fileSystemBytes(path).withUnsafeBufferPointer { Glibc.open($0.baseAddress!, flags, mode) }
    }

    /// `stat(2)` of such a name.
    public static func stat(_ path: String, _ st: inout Glibc.stat) -> Int32 {
        fileSystemBytes(path).withUnsafeBufferPointer { fstatat(AT_FDCWD, $0.baseAddress!, &st, 0) }
    }

    /// Whether such a name is a folder (links followed).
    public static func isFolder(_ path: String) -> Bool {
        var st = Glibc.stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// Whether such a name exists (links followed).
    public static func exists(_ path: String) -> Bool {
        var st = Glibc.stat()
        return stat(path, &st) == 0
    }

    /// The names in a folder, by their bytes (``string(fromBytes:)``), without `.` and `..`;
    /// empty when it cannot be read.
    public static func entries(_ folder: String) -> [String] {
        guard let dir = fileSystemBytes(folder).withUnsafeBufferPointer({ opendir($0.baseAddress!) }) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let e = readdir(dir) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { raw -> String in
                let bytes = raw.prefix { $0 != 0 }
                return string(fromBytes: bytes)
            }
            if name != ".", name != ".." { names.append(name) }
        }
        return names
    }

    /// The length of the valid UTF-8 sequence at `i`, or 0 when the byte there starts none.
    private static func validSequenceLength(_ a: [UInt8], at i: Int) -> Int {
        let b0 = a[i]
        if b0 < 0x80 { return 1 }
        let n: Int
        switch b0 {
        case 0xC2...0xDF: n = 2
        case 0xE0...0xEF: n = 3
        case 0xF0...0xF4: n = 4
        default: return 0
        }
        guard i + n <= a.count else { return 0 }
        return String(validating: a[i..<(i + n)], as: UTF8.self) != nil ? n : 0
    }

    /// The working folder (`/` when it cannot be read).
    static func workingFolder() -> String {
        var buf = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buf, buf.count) != nil else { return "/" }
        return string(fromBytes: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) })
    }

    private static let slash = UInt8(ascii: "/")
    private static let dot = UInt8(ascii: ".")

    private static func lastComponentBytes(_ bytes: [UInt8]) -> ArraySlice<UInt8> {
        guard let cut = bytes.lastIndex(of: slash) else { return bytes[...] }
        return bytes[(cut + 1)...]
    }
}
