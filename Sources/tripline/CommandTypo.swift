/// A word on the command line that is not a file and is close to a command's name.
enum CommandTypo {
    /// The command `word` was most likely meant to be (at most two letters off, or a prefix of
    /// one command), or nil when it looks like none.
    static func suggestion(for word: String, among commands: [String]) -> String? {
        let w = word.lowercased()
        guard !w.isEmpty, w.count <= 20, w.allSatisfy({ $0.isLetter || $0 == "-" }) else { return nil }
        let prefixed = commands.filter { $0.hasPrefix(w) }
        if w.count >= 3, prefixed.count == 1 { return prefixed[0] }
        let scored = commands.map { ($0, distance(w, $0)) }.filter { $0.1 <= min(2, max(1, $0.0.count / 3)) }
        return scored.min { ($0.1, $0.0) < ($1.1, $1.0) }?.0
    }

    /// Whether the path holds glob characters (followed as a pattern, not a file).
    static func isGlob(_ p: String) -> Bool { p.contains { $0 == "*" || $0 == "?" || $0 == "[" } }

    /// Edit distance (insertions, deletions, substitutions and swaps of neighbours).
    static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a), y = Array(b)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var d = Array(repeating: Array(repeating: 0, count: y.count + 1), count: x.count + 1)
        for i in 0...x.count { d[i][0] = i }
        for j in 0...y.count { d[0][j] = j }
        for i in 1...x.count {
            for j in 1...y.count {
                let cost = x[i - 1] == y[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
            }
        }
        return d[x.count][y.count]
    }
}
