import TriplineCore
#if canImport(Glibc)
import Glibc
#endif

/// What a cell is for; the theme turns roles into colours, so rendering never deals in colours.
public enum Role: String, CaseIterable, Sendable {
    case normal, title, border, header, dim, focus, selected, cursor, status, message, error
    case low, medium, high, critical
    case help
}

/// One character cell: a scalar (or a blank continuation of a wide one), its role, and whether
/// it is bold or reversed on top of the theme.
public struct Cell: Equatable, Sendable {
    public var scalar: Unicode.Scalar
    public var role: Role
    public var bold: Bool
    public var reverse: Bool
    /// The right half of a double-width character.
    public var continuation: Bool

    public static let blank = Cell(scalar: " ", role: .normal, bold: false, reverse: false, continuation: false)
}

/// A grid of cells the renderer draws into and the terminal blits; in tests, compared as text.
public struct ScreenBuffer: Equatable, Sendable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    /// Display width of a scalar, as terminals draw it: 0 for combining and enclosing marks,
    /// format characters (zero-width space and joiners, direction marks) and variation
    /// selectors; 2 for emoji shown as emoji by default (`⚡`, `⌚`, `🚀`: Unicode's
    /// Emoji_Presentation, from the standard library's own Unicode data, so it stays current)
    /// and for East Asian wide and fullwidth characters; else 1. Independent of the locale.
    public static func columns(_ s: Unicode.Scalar) -> Int {
        let v = s.value
        if v < 0x300 { return 1 }
        let p = s.properties
        switch p.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        if (0xFE00...0xFE0F).contains(v) || (0xE0100...0xE01EF).contains(v) || (0x1160...0x11FF).contains(v) { return 0 }
        if p.isEmojiPresentation { return 2 }
        for r in ScreenBuffer.wide where r.contains(v) { return 2 }
        return 1
    }

    /// East Asian Wide and Fullwidth blocks (UAX #11), emoji aside.
    static let wide: [ClosedRange<UInt32>] = [
        0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF,
        0x4E00...0x9FFF, 0xA000...0xA4CF, 0xA960...0xA97F, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE10...0xFE19,
        0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x16FE0...0x16FE4, 0x17000...0x18CFF, 0x1AFF0...0x1B2FF,
        0x1F200...0x1F2FF, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x2FFFD, 0x30000...0x3FFFD,
    ]

    /// What ends text cut at a column: `⋯` (`~` on an ASCII terminal, where `…` becomes `.` and
    /// `185.201.164.2.` would read as an address).
    public static let cutMark: Unicode.Scalar = "⋯"

    /// Writes `text` at (x, y), clipped to `maxWidth` columns and the screen; returns columns used.
    /// Text that does not fit ends in ``cutMark`` in its last column, so that nothing is cut silently
    /// (`185.201.164.21…` is never mistaken for another address). Control characters must
    /// already be made visible (``TerminalSafe``); any left are shown as `?`.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, maxWidth: Int? = nil, role: Role = .normal, bold: Bool = false, reverse: Bool = false) -> Int {
        guard y >= 0, y < height, x < width else { return 0 }
        let limit = min(width, x + (maxWidth ?? width))
        var col = x
        var cut = false
        for var s in text.unicodeScalars {
            if TerminalSafe.isControl(s) { s = "?" }
            let w = ScreenBuffer.columns(s)
            if w == 0 { continue }
            if col + w > limit { cut = true; break }
            if col >= 0 {
                cells[y * width + col] = Cell(scalar: s, role: role, bold: bold, reverse: reverse, continuation: false)
                if w == 2 { cells[y * width + col + 1] = Cell(scalar: " ", role: role, bold: bold, reverse: reverse, continuation: true) }
            }
            col += w
        }
        if cut {
            // The mark takes the last column written (both halves of a wide character), or the
            // one free column when nothing fitted.
            var at = col < limit ? col : col - 1
            if at > x, at < col, cells[y * width + at].continuation { at -= 1; cells[y * width + at + 1] = Cell(scalar: " ", role: role, bold: bold, reverse: reverse, continuation: false) }
            if at >= max(0, x), at < limit {
                cells[y * width + at] = Cell(scalar: ScreenBuffer.cutMark, role: role, bold: bold, reverse: reverse, continuation: false)
                col = max(col, at + 1)
            }
        }
        return col - x
    }

    /// Copies `count` cells of row `fromY` of `source`, from its column `fromX`, to (x, y): a
    /// wide character cut in half at either edge is left out (a blank of its role instead).
    public mutating func blit(_ source: ScreenBuffer, fromX: Int, fromY: Int, x: Int, y: Int, count: Int) {
        guard fromY >= 0, fromY < source.height, y >= 0, y < height else { return }
        for k in 0..<count {
            let sx = fromX + k, dx = x + k
            guard dx >= 0, dx < width else { continue }
            guard sx >= 0, sx < source.width else { cells[y * width + dx] = Cell(scalar: " ", role: .normal, bold: false, reverse: false, continuation: false); continue }
            var c = source.cells[fromY * source.width + sx]
            let halfAtLeft = k == 0 && c.continuation
            let halfAtRight = k == count - 1 && ScreenBuffer.columns(c.scalar) == 2 && !c.continuation
            if halfAtLeft || halfAtRight { c = Cell(scalar: " ", role: c.role, bold: c.bold, reverse: c.reverse, continuation: false) }
            cells[y * width + dx] = c
        }
    }

    /// Fills a rectangle with blanks of a role.
    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, role: Role, reverse: Bool = false) {
        for row in max(0, y)..<min(height, y + h) {
            for c in max(0, x)..<min(width, x + w) {
                cells[row * width + c] = Cell(scalar: " ", role: role, bold: false, reverse: reverse, continuation: false)
            }
        }
    }

    /// Sets the role of existing cells (to highlight a row).
    public mutating func restyle(x: Int, y: Int, width w: Int, role: Role, reverse: Bool = false) {
        guard y >= 0, y < height else { return }
        for c in max(0, x)..<min(width, x + w) {
            cells[y * width + c].role = role
            cells[y * width + c].reverse = reverse
        }
    }

    public func cell(x: Int, y: Int) -> Cell { cells[y * width + x] }

    /// Replaces one cell's character, keeping its style.
    public mutating func set(x: Int, y: Int, scalar: Unicode.Scalar) {
        cells[y * width + x].scalar = scalar
        cells[y * width + x].continuation = false
    }

    /// Row `y` as text (wide characters once).
    public func line(_ y: Int) -> String {
        var s = ""
        for x in 0..<width where !cells[y * width + x].continuation { s.unicodeScalars.append(cells[y * width + x].scalar) }
        return s
    }

    /// The whole screen as text, one line per row, trailing blanks kept.
    public var text: String { (0..<height).map(line).joined(separator: "\n") }
}

