import Foundation
import TOMLKit

/// Colours per ``Role``, from a TOML file in `themes/`.
public struct Theme: Sendable, Equatable {
    /// A colour: the terminal default (-1), or 0–255.
    public struct Colors: Sendable, Equatable {
        public var fg: Int
        public var bg: Int
    }

    public var name: String
    public var colors: [Role: Colors]

    /// Why a theme file could not be used.
    public struct LoadError: Error, CustomStringConvertible {
        public let description: String
    }

    static let names: [String: Int] = [
        "default": -1, "black": 0, "red": 1, "green": 2, "yellow": 3, "blue": 4, "magenta": 5, "cyan": 6, "white": 7,
        "bright-black": 8, "bright-red": 9, "bright-green": 10, "bright-yellow": 11, "bright-blue": 12,
        "bright-magenta": 13, "bright-cyan": 14, "bright-white": 15,
    ]

    /// A built-in theme used when no file can be read.
    public static let fallback = Theme(name: "builtin", colors: [
        .title: Colors(fg: 7, bg: 4), .status: Colors(fg: 0, bg: 7), .low: Colors(fg: 6, bg: -1), .medium: Colors(fg: 3, bg: -1),
        .high: Colors(fg: 5, bg: -1), .critical: Colors(fg: 1, bg: -1), .focus: Colors(fg: 3, bg: -1), .cursor: Colors(fg: 0, bg: 7),
        .error: Colors(fg: 7, bg: 1), .header: Colors(fg: 6, bg: -1), .help: Colors(fg: 7, bg: 4), .message: Colors(fg: 0, bg: 2),
    ])

    public init(name: String, colors: [Role: Colors]) {
        self.name = name
        self.colors = colors
    }

    /// Parses a theme file's text; `file` names it in errors.
    public init(toml text: String, file: String) throws {
        let table: TOMLTable
        do { table = try TOMLTable(string: text) } catch {
            throw LoadError(description: "\(file): not valid TOML: \(error)")
        }
        name = table["name"]?.string ?? URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
        colors = [:]
        guard let c = table["colors"]?.table else { throw LoadError(description: "\(file): no [colors] table") }
        for key in c.keys {
            guard let role = Role(rawValue: key) else {
                throw LoadError(description: "\(file): unknown role '\(key)' (known: \(Role.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            guard let spec = c[key]?.string, let parsed = Theme.parse(spec) else {
                throw LoadError(description: "\(file): \(key) must be \"FG\" or \"FG on BG\" with colour names or 0–255")
            }
            colors[role] = parsed
        }
    }

    static func parse(_ spec: String) -> Colors? {
        let parts = spec.lowercased().components(separatedBy: " on ").map { $0.trimmingCharacters(in: .whitespaces) }
        func one(_ s: String) -> Int? {
            if let n = names[s] { return n }
            if let n = Int(s), (0...255).contains(n) { return n }
            return nil
        }
        guard let fg = one(parts[0]) else { return nil }
        let bg = parts.count > 1 ? one(parts[1]) : -1
        guard let bg else { return nil }
        return Colors(fg: fg, bg: bg)
    }

    /// Loads every `*.toml` in a folder, `dark` first; bad files are reported, not fatal.
    public static func loadAll(from directory: String) -> (themes: [Theme], problems: [String]) {
        var out: [Theme] = []
        var problems: [String] = []
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".toml") }.sorted()
        for f in files {
            let path = URL(fileURLWithPath: directory).appendingPathComponent(f).path
            do {
                out.append(try Theme(toml: try String(contentsOfFile: path, encoding: .utf8), file: path))
            } catch {
                problems.append("\(error)")
            }
        }
        out.sort { ($0.name == "dark" ? 0 : 1, $0.name) < ($1.name == "dark" ? 0 : 1, $1.name) }
        return (out, problems)
    }

    /// The nearest of the 8 basic colours for a 256-colour number (for 8-colour terminals).
    public static func basic(_ c: Int) -> Int {
        if c < 0 { return -1 }
        if c < 16 { return c % 8 }
        var r = 0, g = 0, b = 0
        if c >= 232 {
            let level = (c - 232) * 10 + 8
            r = level; g = level; b = level
        } else {
            let i = c - 16
            let steps = [0, 95, 135, 175, 215, 255]
            r = steps[i / 36]; g = steps[(i / 6) % 6]; b = steps[i % 6]
        }
        let palette = [(0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229)]
        var best = 0, bestD = Int.max
        for (k, p) in palette.enumerated() {
            let d = (p.0 - r) * (p.0 - r) + (p.1 - g) * (p.1 - g) + (p.2 - b) * (p.2 - b)
            if d < bestD { bestD = d; best = k }
        }
        return best
    }
}
