import Foundation

/// How many distinct strings were seen, in 1 KiB whatever their number: a HyperLogLog with
/// 1,024 registers (about 3 % standard error; exact-ish below a few hundred by its small-range
/// correction). The hash is fixed (FNV-1a, then a SplitMix64 finaliser), never the process's
/// seeded `Hasher`, so the same input gives the same estimate in every run.
struct DistinctEstimate: Sendable {
    private static let bits = 10
    private static let size = 1 << bits
    /// Empty until the first insert (most incidents never need one).
    private var registers: [UInt8] = []
    /// The estimate, worked out again only when a register changes (rarely, once it fills).
    private(set) var count = 0

    /// Counts `s`.
    mutating func insert(_ s: String) {
        if registers.isEmpty { registers = [UInt8](repeating: 0, count: DistinctEstimate.size) }
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
        h = (h ^ (h >> 30)) &* 0xBF58_476D_1CE4_E5B9
        h = (h ^ (h >> 27)) &* 0x94D0_49BB_1331_11EB
        h ^= h >> 31
        let index = Int(h >> UInt64(64 - DistinctEstimate.bits))
        let rest = h << UInt64(DistinctEstimate.bits)
        let rank = UInt8(min(rest.leadingZeroBitCount, 64 - DistinctEstimate.bits) + 1)
        if rank > registers[index] {
            registers[index] = rank
            count = estimate()
        }
    }

    /// The estimated number of distinct strings inserted.
    private func estimate() -> Int {
        let m = Double(DistinctEstimate.size)
        var sum = 0.0
        var zeros = 0
        for r in registers {
            sum += 1 / Double(UInt64(1) << UInt64(r))
            if r == 0 { zeros += 1 }
        }
        let alpha = 0.7213 / (1 + 1.079 / m)
        let raw = alpha * m * m / sum
        if raw <= 2.5 * m, zeros > 0 {
            return Int((m * log(m / Double(zeros))).rounded())
        }
        return Int(raw.rounded())
    }
}
