/// A small, fast, seedable random number generator (SplitMix64), so that generated logs are the
/// same for the same seed on every machine.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator from a seed.
    public init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }

    /// A generator derived from a seed and a label (one stream per user, per attack, …).
    public init(seed: UInt64, stream: UInt64) {
        var g = SplitMix64(seed: seed ^ (stream &* 0xD1B5_4A32_D192_ED03))
        state = g.next()
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform integer in `range`.
    public mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.upperBound - range.lowerBound + 1))
    }

    /// A uniform double in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }

    /// True with probability `p`.
    public mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// A random element.
    public mutating func pick<T>(_ a: [T]) -> T { a[Int(next() % UInt64(a.count))] }

    /// An exponentially distributed wait with the given mean.
    public mutating func exponential(mean: Double) -> Double { -mean * log(max(1e-12, 1 - unit())) }
}

import Foundation
