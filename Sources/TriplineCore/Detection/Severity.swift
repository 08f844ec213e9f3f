/// How urgently an analyst should look, from a 0–100 score: low < 40 ≤ medium < 65 ≤ high < 85 ≤ critical.
public enum Severity: String, Sendable, Hashable, Codable, CaseIterable, Comparable, BitwiseCopyable {
    case low, medium, high, critical

    /// The severity band a score falls in.
    public init(score: Double) {
        switch score {
        case ..<40: self = .low
        case ..<65: self = .medium
        case ..<85: self = .high
        default: self = .critical
        }
    }

    /// A severity by name, in any case (`HIGH`, `High`, `high`), as a user types it.
    public init?(named name: String) { self.init(rawValue: name.lowercased()) }

    /// 0 for low up to 3 for critical.
    public var rank: Int { Severity.allCases.firstIndex(of: self) ?? 0 }

    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
}
