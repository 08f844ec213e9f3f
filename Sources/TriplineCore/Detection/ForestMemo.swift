/// Scores already computed, so that a detector does not walk a hundred trees again for an event
/// that lands in the same leaves as one before it.
///
/// Two points reach the same leaf of every tree when, for every feature, they lie on the same
/// side of every split the forest makes on it: that is, when the same number of the forest's
/// split values lie below them (``CompiledForest/SplitTable``). The memo keys a score by those
/// counts, one per feature, packed into four words, so a hit gives exactly the score a walk
/// would (bit for bit), however the features vary within a gap between two splits: an hour's
/// sine, a log count. Most events of a real log (a brute force's thousandth failure, a cron
/// login at its usual minute) fall where many before them fell.
///
/// Two-way: a key goes in one of a pair of slots, the newer first, so that two keys that hash
/// alike do not push each other out (one table lookup costs a cache miss when the table is
/// large, so it is kept as small as the points allow). It starts small (a detector per API
/// request pays little) and grows, up to ``maxSlots``, while keys keep pushing each other out:
/// the real sshd sample in shuffled order has some 20,000 distinct points. Memory is bounded
/// whatever is sent (2 MB at most), and an adversary choosing every vector only costs the
/// walk itself.
struct ForestMemo {
    /// 32 bytes, two to a cache line: the key's first three words (a point whose key needs the
    /// fourth, from a forest of very many splits, is walked); an empty slot is one whose score
    /// is NaN (a NaN score is never kept).
    private struct Slot {
        var key: (UInt64, UInt64, UInt64) = (0, 0, 0)
        var score = Double.nan
        var used: Bool { !score.isNaN }
    }

    /// Slots to begin with, and at most (powers of two).
    static let initialSlots = 1 << 13
    static let maxSlots = 1 << 16
    private var slots: [Slot] = []
    /// The last point looked up and its score (empty: NaN).
    private var last = Slot()
    /// Scores looked up and found, for tests and profiling.
    private(set) var hits = 0
    private(set) var misses = 0
    /// Slots the memo has now.
    var slotCount: Int { slots.count }
    /// Scores left to walk without the memo: a mix whose points rarely repeat (times of day and
    /// counts that vary continuously) pays for keys it never finds, so after a stretch with few
    /// hits the memo rests for a while, then tries again. The scores are the same either way.
    private var resting = 0
    /// This stretch's lookups, hits, and misses that pushed another key out of its slot.
    private var stretch = (lookups: 0, hits: 0, evictions: 0)
    static let stretchLength = 4096
    static let restLength = 65_536

    init() {}

    /// `forest`'s score for `x`: from the memo when a point in the same leaves was scored before,
    /// else by walking the trees (and remembered).
    mutating func score(_ x: [Double], forest: CompiledForest) -> Double {
        if resting > 0 {
            resting -= 1
            return forest.scoreSample(x)
        }
        stretch.lookups += 1
        if stretch.lookups == ForestMemo.stretchLength {
            if stretch.hits * 8 < stretch.lookups {
                resting = ForestMemo.restLength
            } else if stretch.evictions * 32 > stretch.lookups, slots.count < ForestMemo.maxSlots {
                // Points that do repeat, pushing each other out (one lookup in 32): more room.
                grow()
            }
            stretch = (0, 0, 0)
        }
        guard let full = forest.memoKey(x), full.3 == 0 else { return forest.scoreSample(x) }
        let key = (full.0, full.1, full.2)
        // The point before, first: an attack's lines come one after another with the same
        // features, and this is found without touching the table (megabytes, out of cache).
        if last.used && last.key == key {
            hits += 1
            stretch.hits += 1
            return last.score
        }
        if slots.isEmpty { slots = Array(repeating: Slot(), count: ForestMemo.initialSlots) }
        let i = ForestMemo.slot(of: key, in: slots.count)
        let v: Double = slots.withUnsafeMutableBufferPointer { s in
            // Two ways: the key may be in either slot of its pair.
            for j in i...(i + 1) where s[j].used && s[j].key == key {
                hits += 1
                stretch.hits += 1
                return s[j].score
            }
            misses += 1
            let v = forest.scoreSample(x)
            guard !v.isNaN else { return v }
            // The newer key goes first; the older of two moves to the second slot, pushing out
            // what was there.
            if s[i].used {
                if s[i + 1].used { stretch.evictions += 1 }
                s[i + 1] = s[i]
            }
            s[i] = Slot(key: key, score: v)
            return v
        }
        if !v.isNaN { last = Slot(key: key, score: v) }
        return v
    }

    /// The first slot of the pair `key` goes in, in a table of `count` slots (a power of two).
    private static func slot(of key: (UInt64, UInt64, UInt64), in count: Int) -> Int {
        var h = key.0 &* 0x9E37_79B9_7F4A_7C15
        h = (h ^ (h >> 29) ^ key.1) &* 0xBF58_476D_1CE4_E5B9
        h = (h ^ (h >> 32) ^ key.2) &* 0x94D0_49BB_1331_11EB
        h = (h ^ (h >> 29)) &* 0x9E37_79B9_7F4A_7C15
        return Int(truncatingIfNeeded: h >> 40) & (count - 2)
    }

    /// Four times the slots, the scores kept moved to their new places.
    private mutating func grow() {
        let count = min(ForestMemo.maxSlots, slots.count * 4)
        var bigger = Array(repeating: Slot(), count: count)
        for old in slots where old.used {
            let i = ForestMemo.slot(of: old.key, in: count)
            if !bigger[i].used { bigger[i] = old } else if !bigger[i + 1].used { bigger[i + 1] = old }
        }
        slots = bigger
    }
}

extension CompiledForest {
    /// For each feature, the distinct values the forest splits it at, sorted, and how a point's
    /// place among them is packed into a memo key.
    struct SplitTable: Sendable {
        /// Every feature's split values, one feature after the other.
        let values: [Double]
        /// Where each feature's values start in ``values`` (one more entry than features).
        let starts: [Int32]
        /// Where each feature's count goes in the key: word (0–3) and shift.
        let word: [UInt8]
        let shift: [UInt8]
        let featureCount: Int
        /// Per feature, the count for 0 and for 1: most features are flags, and a count of
        /// zero (no failures, no events) is the commonest value of the others.
        let countAtZero: [Int32]
        let countAtOne: [Int32]
        /// Per feature with many split values, buckets over their range so that a count is found
        /// by one multiplication and a few comparisons (``bucket(_:low:scale:count:)``): the
        /// bucket count (0: none), where its starts begin in ``bucketStarts``, the lowest split
        /// value and the buckets per unit.
        let buckets: [Int32]
        let bucketBase: [Int32]
        let bucketLow: [Double]
        let bucketScale: [Double]
        /// Per bucket, how many of the feature's split values fall in earlier buckets (one more
        /// entry than buckets, per feature).
        let bucketStarts: [Int32]
        static let bucketedFrom = 16
        static let mostBuckets = 2048

        /// The table for `splits` (per feature, the values the forest splits it at), or nil when
        /// the counts do not fit a key of four words (a forest far larger than training grows).
        init?(splits: [[Double]]) {
            var values: [Double] = [], starts: [Int32] = [0], word: [UInt8] = [], shift: [UInt8] = []
            var w = 0, used = 0
            for s in splits {
                let distinct = Array(Set(s.filter { !$0.isNaN })).sorted()
                values += distinct
                starts.append(Int32(values.count))
                // Counts 0…n, and n+1 for NaN (below no split and above none: always right).
                let bits = max(1, (UInt64(distinct.count) + 1).bitWidthNeeded)
                if used + bits > 64 { w += 1; used = 0 }
                guard w < 4, bits <= 64 else { return nil }
                word.append(UInt8(w))
                shift.append(UInt8(used))
                used += bits
            }
            self.values = values
            self.starts = starts
            countAtZero = splits.indices.map { f in Int32(values[Int(starts[f])..<Int(starts[f + 1])].filter { $0 < 0 }.count) }
            countAtOne = splits.indices.map { f in Int32(values[Int(starts[f])..<Int(starts[f + 1])].filter { $0 < 1 }.count) }
            var buckets: [Int32] = [], bucketBase: [Int32] = [], bucketLow: [Double] = [], bucketScale: [Double] = []
            var bucketStarts: [Int32] = []
            for f in splits.indices {
                let feature = values[Int(starts[f])..<Int(starts[f + 1])]
                var nb = 0, low = 0.0, scale = 0.0
                if feature.count > SplitTable.bucketedFrom, let lo = feature.first, let hi = feature.last, lo.isFinite, hi.isFinite, hi > lo {
                    nb = min(SplitTable.mostBuckets, 1 << (64 - UInt64(feature.count - 1).leadingZeroBitCount))
                    low = lo
                    scale = Double(nb) / (hi - lo)
                    if !scale.isFinite || scale <= 0 { nb = 0 }
                }
                buckets.append(Int32(nb))
                bucketBase.append(Int32(bucketStarts.count))
                bucketLow.append(low)
                bucketScale.append(scale)
                guard nb > 0 else { continue }
                // Starts by a sweep: the values are sorted and the bucket of a value never falls as it rises.
                var i = 0
                let ordered = Array(feature)
                for b in 0...nb {
                    while i < ordered.count, SplitTable.bucket(ordered[i], low: low, scale: scale, count: nb) < b { i += 1 }
                    bucketStarts.append(Int32(i))
                }
            }
            self.buckets = buckets
            self.bucketBase = bucketBase
            self.bucketLow = bucketLow
            self.bucketScale = bucketScale
            self.bucketStarts = bucketStarts
            self.word = word
            self.shift = shift
            featureCount = splits.count
        }

        /// The key of `x`: per feature, how many split values lie below it (NaN: one more than all).
        func key(_ x: [Double]) -> (UInt64, UInt64, UInt64, UInt64)? {
            var k: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
            values.withUnsafeBufferPointer { v in
                guard let v = v.baseAddress else { return }
                for f in 0..<featureCount {
                    let lo = Int(starts[f]), n = Int(starts[f + 1]) - lo
                    let xf = x[f]
                    let count: Int
                    if xf == 0 {
                        count = Int(countAtZero[f])
                    } else if xf == 1 {
                        count = Int(countAtOne[f])
                    } else if xf.isNaN {
                        count = n + 1
                    } else if buckets[f] > 0 {
                        // Every split value in an earlier bucket is below x and every one in a later
                        // bucket above it (the bucket never falls as the value rises): only this
                        // bucket's values are compared.
                        let b = SplitTable.bucket(xf, low: bucketLow[f], scale: bucketScale[f], count: Int(buckets[f]))
                        let at = Int(bucketBase[f]) + b
                        let from = Int(bucketStarts[at]), to = Int(bucketStarts[at + 1])
                        if to - from > 8 {
                            count = from + SplitTable.lowerBound(v + lo + from, to - from, xf)
                        } else {
                            var i = from
                            while i < to, v[lo + i] < xf { i += 1 }
                            count = i
                        }
                    } else {
                        count = SplitTable.lowerBound(v + lo, n, xf)
                    }
                    let bits = UInt64(count) << UInt64(shift[f])
                    switch word[f] {
                    case 0: k.0 |= bits
                    case 1: k.1 |= bits
                    case 2: k.2 |= bits
                    default: k.3 |= bits
                    }
                }
            }
            return k
        }

        /// The bucket of `x` (not NaN) among `count` over a feature's split values: monotone in `x`
        /// (rounding and truncation never reverse an order), clamped to the buckets.
        @inline(__always)
        static func bucket(_ x: Double, low: Double, scale: Double, count: Int) -> Int {
            let p = (x - low) * scale
            return p < 0 ? 0 : Int(min(p, Double(count - 1)))
        }

        /// How many of the `n` sorted values at `v` are below `x` (a binary search: for features
        /// with few split values, and buckets that hold many).
        @inline(__always)
        static func lowerBound(_ v: UnsafePointer<Double>, _ n: Int, _ x: Double) -> Int {
            var base = 0, len = n
            while len > 0 {
                let half = len >> 1
                if v[base + half] < x { base += half + 1; len -= half + 1 } else { len = half }
            }
            return base
        }
    }
}

private extension UInt64 {
    /// Bits needed to write every number up to and including self.
    var bitWidthNeeded: Int { 64 - leadingZeroBitCount }
}
