import Foundation

/// An isolation forest with scikit-learn's semantics (`sklearn.ensemble.IsolationForest`):
/// `nEstimators` trees, each grown on `min(maxSamples, n)` points drawn without replacement, with
/// random feature and uniform random split, depth limited to `ceil(log2(maxSamples))`; a point's
/// path length adds `c(n)` for the points left in its leaf, and `scoreSamples` is
/// `-2^(-E[h(x)] / c(maxSamples))` (higher is more normal). The threshold (`offset`) is the
/// `contamination` quantile of the training scores, as sklearn's `offset_`.
///
/// Seeded and deterministic: the same data and seed give the same forest.
public struct IsolationForest: Sendable, Codable {
    /// One tree, stored flat: node `i` splits on `feature[i]` at `threshold[i]` with children
    /// `left[i]`/`right[i]`, or is a leaf (`left[i] == -1`) holding `size[i]` training points.
    public struct Tree: Sendable, Codable {
        public var feature: [Int32] = []
        public var threshold: [Double] = []
        public var left: [Int32] = []
        public var right: [Int32] = []
        public var size: [Int32] = []

        /// Path length of `x`: the depth of its leaf plus `c(size)` of that leaf.
        @inlinable public func pathLength(_ x: UnsafeBufferPointer<Double>) -> Double {
            var node = 0
            var depth = 0.0
            while left[node] >= 0 {
                node = Int(x[Int(feature[node])] <= threshold[node] ? left[node] : right[node])
                depth += 1
            }
            return depth + IsolationForest.averagePathLength(Int(size[node]))
        }
    }

    /// The trees.
    public var trees: [Tree]
    /// Points each tree was grown on.
    public var maxSamples: Int
    /// Features per point.
    public var featureCount: Int
    /// The score below which a point is an outlier (sklearn's `offset_`).
    public var offset: Double
    /// The share of training points expected to be outliers.
    public var contamination: Double

    /// `c(n)`: the average path length of an unsuccessful search in a binary search tree of `n`
    /// points, which normalises path lengths (sklearn's `_average_path_length`).
    @inlinable public static func averagePathLength(_ n: Int) -> Double {
        if n <= 1 { return 0 }
        if n == 2 { return 1 }
        let m = Double(n - 1)
        return 2.0 * (log(m) + 0.5772156649015329) - 2.0 * m / Double(n)
    }

    /// Grows a forest on `data` (rows of equal length).
    public init(data: [[Double]], nEstimators: Int = 100, maxSamples: Int = 256, contamination: Double = 0.01, seed: UInt64 = 0) {
        precondition(!data.isEmpty, "an isolation forest needs at least one point")
        let n = data.count
        let psi = min(maxSamples, n)
        self.maxSamples = psi
        self.featureCount = data[0].count
        self.contamination = contamination
        self.offset = -0.5
        let maxDepth = Int(ceil(log2(Double(max(psi, 2)))))
        var rng = SplitMix64(seed: seed)
        var trees: [Tree] = []
        trees.reserveCapacity(nEstimators)
        var indices = Array(0..<n)
        for _ in 0..<nEstimators {
            // Partial Fisher–Yates: the first psi indices are a sample without replacement.
            for k in 0..<psi {
                let j = k + Int(rng.next() % UInt64(n - k))
                indices.swapAt(k, j)
            }
            var tree = Tree()
            var sample = Array(indices[0..<psi])
            IsolationForest.grow(&tree, data: data, sample: &sample[...], depth: 0, maxDepth: maxDepth, features: featureCount, rng: &rng)
            trees.append(tree)
        }
        self.trees = trees
        // offset_ = percentile(score_samples(X), 100 * contamination), numpy's linear interpolation.
        let scores = scoreSamples(data).sorted()
        self.offset = IsolationForest.percentile(scores, contamination * 100)
    }

    @discardableResult
    private static func grow(_ t: inout Tree, data: [[Double]], sample: inout ArraySlice<Int>, depth: Int, maxDepth: Int, features: Int, rng: inout SplitMix64) -> Int32 {
        let id = Int32(t.left.count)
        t.feature.append(-1); t.threshold.append(0); t.left.append(-1); t.right.append(-1); t.size.append(Int32(sample.count))
        guard sample.count > 1, depth < maxDepth else { return id }
        // A random feature that is not constant in this node (sklearn's splitter skips constant ones).
        var order = Array(0..<features)
        var chosen = -1
        var lo = 0.0, hi = 0.0
        var remaining = features
        while remaining > 0 {
            let k = Int(rng.next() % UInt64(remaining))
            let f = order[k]
            order.swapAt(k, remaining - 1)
            remaining -= 1
            var mn = Double.infinity, mx = -Double.infinity
            for i in sample {
                let v = data[i][f]
                if v < mn { mn = v }
                if v > mx { mx = v }
            }
            if mx > mn { chosen = f; lo = mn; hi = mx; break }
        }
        guard chosen >= 0 else { return id } // all points identical
        var split = lo + rng.unit() * (hi - lo)
        if split >= hi { split = lo } // keep both sides non-empty
        // Partition: values <= split go left.
        var a = sample.startIndex, b = sample.endIndex - 1
        while a <= b {
            if data[sample[a]][chosen] <= split { a += 1 } else { sample.swapAt(a, b); b -= 1 }
        }
        t.feature[Int(id)] = Int32(chosen)
        t.threshold[Int(id)] = split
        var leftPart = sample[sample.startIndex..<a]
        var rightPart = sample[a..<sample.endIndex]
        let l = grow(&t, data: data, sample: &leftPart, depth: depth + 1, maxDepth: maxDepth, features: features, rng: &rng)
        let r = grow(&t, data: data, sample: &rightPart, depth: depth + 1, maxDepth: maxDepth, features: features, rng: &rng)
        t.left[Int(id)] = l
        t.right[Int(id)] = r
        return id
    }

    /// sklearn's `score_samples` for one point: in (-1, 0], lower is more anomalous.
    public func scoreSample(_ x: [Double]) -> Double {
        x.withUnsafeBufferPointer { scoreSample($0) }
    }

    /// `score_samples` for a point given as a buffer.
    public func scoreSample(_ x: UnsafeBufferPointer<Double>) -> Double {
        var total = 0.0
        for t in trees { total += t.pathLength(x) }
        let mean = total / Double(trees.count)
        return -pow(2.0, -mean / IsolationForest.averagePathLength(maxSamples))
    }

    /// `score_samples` for many points.
    public func scoreSamples(_ xs: [[Double]]) -> [Double] { xs.map(scoreSample) }

    /// sklearn's `decision_function`: negative for outliers.
    public func decisionFunction(_ x: [Double]) -> Double { scoreSample(x) - offset }

    /// Whether `x` is an outlier at the trained contamination.
    public func isOutlier(_ x: [Double]) -> Bool { decisionFunction(x) < 0 }

    /// numpy's `percentile` with linear interpolation, on sorted values.
    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = p / 100 * Double(sorted.count - 1)
        let lo = Int(rank.rounded(.down)), hi = min(lo + 1, sorted.count - 1)
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - Double(lo))
    }
}

/// An ``IsolationForest`` laid out for scoring: every tree's nodes in one set of flat arrays and
/// the leaves' `c(size)` precomputed, so scoring an event walks memory without copying trees.
public struct CompiledForest: Sendable {
    private let feature: [Int32]
    private let threshold: [Double]
    private let left: [Int32]
    private let right: [Int32]
    private let leafValue: [Double]
    private let roots: [Int32]
    private let normaliser: Double
    /// The outlier threshold (sklearn's `offset_`).
    public let offset: Double
    /// The contamination it was trained with.
    public let contamination: Double

    /// Compiles a forest.
    public init(_ f: IsolationForest) {
        var feature: [Int32] = [], threshold: [Double] = [], left: [Int32] = [], right: [Int32] = [], leaf: [Double] = [], roots: [Int32] = []
        for t in f.trees {
            let base = Int32(feature.count)
            roots.append(base)
            for i in t.left.indices {
                feature.append(t.feature[i])
                threshold.append(t.threshold[i])
                left.append(t.left[i] >= 0 ? t.left[i] + base : -1)
                right.append(t.right[i] >= 0 ? t.right[i] + base : -1)
                leaf.append(t.left[i] >= 0 ? 0 : IsolationForest.averagePathLength(Int(t.size[i])))
            }
        }
        self.feature = feature; self.threshold = threshold; self.left = left; self.right = right
        self.leafValue = leaf; self.roots = roots
        self.normaliser = IsolationForest.averagePathLength(f.maxSamples)
        self.offset = f.offset
        self.contamination = f.contamination
    }

    /// sklearn's `score_samples` for one point, the same value as ``IsolationForest/scoreSample(_:)``.
    public func scoreSample(_ x: [Double]) -> Double {
        var total = 0.0
        x.withUnsafeBufferPointer { xp in
            feature.withUnsafeBufferPointer { fp in
            threshold.withUnsafeBufferPointer { tp in
            left.withUnsafeBufferPointer { lp in
            right.withUnsafeBufferPointer { rp in
            leafValue.withUnsafeBufferPointer { vp in
                for r in roots {
                    var node = Int(r)
                    var depth = 0.0
                    while lp[node] >= 0 {
                        node = Int(xp[Int(fp[node])] <= tp[node] ? lp[node] : rp[node])
                        depth += 1
                    }
                    total += depth + vp[node]
                }
            }}}}}
        }
        return -pow(2.0, -(total / Double(roots.count)) / normaliser)
    }
}
