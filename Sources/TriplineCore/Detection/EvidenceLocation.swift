/// Where a piece of an incident's evidence was logged: a file (or the name given to a body or
/// upload) and a line, written `file:line` in every output. Kept as values, so the file name is
/// shared by all of an incident's lines and a tool that reads the lines needs no parsing back.
public struct EvidenceLocation: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    public var file: String
    /// The line number (1-based); nil for a location read back from a document that had none.
    public var line: Int?

    public init(file: String, line: Int?) {
        self.file = file
        self.line = line
    }

    /// `file:line` as written: the text after the last colon is the line when it is a number
    /// (file names may hold colons); otherwise the whole text is the file.
    public init(parsing text: String) {
        if let colon = text.lastIndex(of: ":"), let n = Int(text[text.index(after: colon)...]), n >= 0 {
            self.init(file: String(text[..<colon]), line: n)
        } else {
            self.init(file: text, line: nil)
        }
    }

    public init(stringLiteral value: String) { self.init(parsing: value) }

    public var description: String { line.map { "\(file):\($0)" } ?? file }
}
