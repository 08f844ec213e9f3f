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

    /// Display width of a scalar: 0 for combining marks and zero-width characters, 2 for East
    /// Asian wide and fullwidth characters and emoji, else 1 (independent of the locale).
    public static func columns(_ s: Unicode.Scalar) -> Int {
        let v = s.value
        if v < 0x300 { return 1 }
        if (0x300...0x36F).contains(v) || (0x200B...0x200F).contains(v) || (0xFE00...0xFE0F).contains(v) || v == 0xFEFF { return 0 }
        if s.properties.generalCategory == .nonspacingMark || s.properties.generalCategory == .enclosingMark { return 0 }
        if (0x1100...0x115F).contains(v) || (0x2E80...0x303E).contains(v) || (0x3041...0x33FF).contains(v)
            || (0x3400...0x4DBF).contains(v) || (0x4E00...0x9FFF).contains(v) || (0xA000...0xA4CF).contains(v)
            || (0xAC00...0xD7A3).contains(v) || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v)
            || (0xFF00...0xFF60).contains(v) || (0xFFE0...0xFFE6).contains(v) || (0x1F300...0x1F64F).contains(v)
            || (0x1F900...0x1F9FF).contains(v) || (0x20000...0x3FFFD).contains(v) { return 2 }
        return 1
    }

    /// Writes `text` at (x, y), clipped to `maxWidth` columns and the screen; returns columns used.
    /// Control characters must already be made visible (``TerminalSafe``); any left are shown as `?`.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, maxWidth: Int? = nil, role: Role = .normal, bold: Bool = false, reverse: Bool = false) -> Int {
        guard y >= 0, y < height, x < width else { return 0 }
        let limit = min(width, x + (maxWidth ?? width))
        var col = x
        for var s in text.unicodeScalars {
            if TerminalSafe.isControl(s) { s = "?" }
            let w = ScreenBuffer.columns(s)
            if w == 0 { continue }
            if col + w > limit { break }
            if col >= 0 {
                cells[y * width + col] = Cell(scalar: s, role: role, bold: bold, reverse: reverse, continuation: false)
                if w == 2 { cells[y * width + col + 1] = Cell(scalar: " ", role: role, bold: bold, reverse: reverse, continuation: true) }
            }
            col += w
        }
        return col - x
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

