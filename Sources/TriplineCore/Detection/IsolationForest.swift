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

        /// The depth of the deepest leaf (the root alone is depth 0).
        public var depth: Int {
            guard !left.isEmpty else { return 0 }
            var deepest = 0
            var stack = [(0, 0)]
            while let (node, d) = stack.popLast() {
                deepest = max(deepest, d)
                if left[node] >= 0 { stack.append((Int(left[node]), d + 1)); stack.append((Int(right[node]), d + 1)) }
            }
            return deepest
        }

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

    /// What is wrong with a forest read from a file, or nil: arrays of one length per tree,
    /// children after their parent and inside the tree (so walks end), every node the child of
    /// one parent at most (a tree, not a graph whose shared nodes would make a walk over it
    /// exponential), features the points have, leaf sizes that are counts, and no deeper than a
    /// forest this code grows (16 levels: `maxSamples` ≤ 65,536). Linear in the nodes.
    public var structuralProblem: String? {
        if trees.isEmpty { return "no trees" }
        if maxSamples < 1 { return "max_samples \(maxSamples)" }
        for (k, t) in trees.enumerated() {
            let n = t.left.count
            if n == 0 || t.right.count != n || t.feature.count != n || t.threshold.count != n || t.size.count != n {
                return "tree \(k): its node arrays differ in length or are empty"
            }
            // Children come after their parent, so one pass in order gives every depth (-1: a
            // node no walk from the root reaches).
            var depth = [Int32](repeating: -1, count: n)
            var hasParent = [Bool](repeating: false, count: n)
            depth[0] = 0
            for i in 0..<n {
                let l = Int(t.left[i]), r = Int(t.right[i])
                if l < 0 {
                    if r >= 0 { return "tree \(k) node \(i): a right child without a left one" }
                    if t.size[i] < 0 { return "tree \(k) node \(i): a leaf of \(t.size[i]) points" }
                    continue
                }
                if l <= i || r <= i || l >= n || r >= n || l == r { return "tree \(k) node \(i): children out of order or range" }
                if t.feature[i] < 0 || Int(t.feature[i]) >= featureCount { return "tree \(k) node \(i): feature \(t.feature[i]) of \(featureCount)" }
                if t.threshold[i].isNaN { return "tree \(k) node \(i): threshold is not a number" }
                if hasParent[l] || hasParent[r] { return "tree \(k) node \(i): a child another node has too (not a tree)" }
                hasParent[l] = true
                hasParent[r] = true
                let d = depth[i] < 0 ? -1 : depth[i] + 1
                if d > 16 { return "tree \(k) is more than 16 levels deep" }
                depth[l] = d
                depth[r] = d
            }
        }
        return nil
    }

    /// `c(n)`: the average path length of an unsuccessful search in a binary search tree of `n`
    /// points, which normalises path lengths (sklearn's `_average_path_length`).
    @inlinable public static func averagePathLength(_ n: Int) -> Double {
        if n <= 1 { return 0 }
        if n == 2 { return 1 }
        let m = Double(n - 1)
        return 2.0 * (log(m) + 0.5772156649015329) - 2.0 * m / Double(n)
    }

    /// A forest from its parts (as read from a model file; check ``structuralProblem`` before use).
    public init(trees: [Tree], maxSamples: Int, featureCount: Int, offset: Double, contamination: Double) {
        self.trees = trees; self.maxSamples = maxSamples; self.featureCount = featureCount
        self.offset = offset; self.contamination = contamination
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
    /// A node in 16 bytes, trees laid out in depth-first order so that a node's left child is
    /// the next node (a walk mostly reads on in the same cache line). An inner node sends a
    /// point with `x[feature] <= value` to its left child and the rest to its right one (its
    /// feature is in ``Storage/features``).
    ///
    /// A leaf holds in `value` the whole path length of a point that ends there (its depth plus
    /// c(n) of the training samples it kept), and both its children are itself, so a step from a
    /// leaf stays on it. A walk can then take the same number of steps whatever leaf it
    /// reaches, several trees side by side; and a step reads the child at the comparison's
    /// outcome (0 or 1) rather than choosing between two, which compilers turn into a branch
    /// that a walk's turns, unpredictable, would mispredict half the time.
    @usableFromInline struct Node: Sendable {
        @usableFromInline var value: Double
        /// Left then right: a tuple, so that they are side by side in that order (a step reads
        /// the one at the comparison's outcome by its offset).
        @usableFromInline var children: (Int32, Int32)
        init(value: Double, left: Int32, right: Int32) {
            self.value = value
            children = (left, right)
        }
    }
    /// The arrays, behind one reference: a detector copies the forest for each event it scores,
    /// which then costs one retain rather than one per array.
    private final class Storage: Sendable {
        let nodes: [Node]
        /// Each node's feature (a leaf's is one past the real ones).
        let features: [Int32]
        let roots: [Int32]
        /// Steps that take every point to its leaf, per group of ``CompiledForest/group``
        /// trees (the deepest leaf among them).
        let groupSteps: [Int32]
        /// Features a point has; leaves read the one after them.
        let featureCount: Int
        let splitTable: SplitTable?
        init(nodes: [Node], features: [Int32], roots: [Int32], groupSteps: [Int32], featureCount: Int, splitTable: SplitTable?) {
            self.nodes = nodes
            self.features = features
            self.roots = roots
            self.groupSteps = groupSteps
            self.featureCount = featureCount
            self.splitTable = splitTable
        }
    }
    /// Trees walked side by side.
    static let group = 8
    private let storage: Storage
    private let normaliser: Double
    /// The outlier threshold (sklearn's `offset_`).
    public let offset: Double
    /// The contamination it was trained with.
    public let contamination: Double
    /// Each feature's split values, for ``ForestMemo`` (nil when too many to key).
    var splitTable: SplitTable? { storage.splitTable }

    /// The memo key of `x` (see ``SplitTable/key(_:)``), read in place; nil when the forest has
    /// no table or `x` has another number of features.
    func memoKey(_ x: [Double]) -> (UInt64, UInt64, UInt64, UInt64)? {
        guard let table = storage.splitTable, x.count == table.featureCount else { return nil }
        return table.key(x)
    }

    /// Compiles a forest (one that ``IsolationForest/structuralProblem`` finds nothing wrong with).
    public init(_ f: IsolationForest) {
        var nodes: [Node] = [], features: [Int32] = [], roots: [Int32] = [], depths: [Int32] = []
        var splits = Array(repeating: [Double](), count: max(0, f.featureCount))
        let leafFeature = Int32(clamping: max(0, f.featureCount))
        for t in f.trees where !t.left.isEmpty {
            roots.append(Int32(nodes.count))
            var deepest = 0
            // Pre-order: a node, its left subtree, then its right one; `parent` is the inner
            // node whose right child this is, to be told where it landed.
            var stack: [(node: Int, depth: Int, parent: Int)] = [(0, 0, -1)]
            while let (node, depth, parent) = stack.popLast() {
                if parent >= 0 { nodes[parent].children.1 = Int32(nodes.count) }
                if t.left[node] >= 0 {
                    let me = nodes.count
                    nodes.append(Node(value: t.threshold[node], left: Int32(me + 1), right: -1))
                    features.append(t.feature[node])
                    if splits.indices.contains(Int(t.feature[node])) { splits[Int(t.feature[node])].append(t.threshold[node]) }
                    stack.append((Int(t.right[node]), depth + 1, me))
                    stack.append((Int(t.left[node]), depth + 1, -1))
                } else {
                    let length = Double(depth) + IsolationForest.averagePathLength(Int(t.size[node]))
                    nodes.append(Node(value: length, left: Int32(nodes.count), right: Int32(nodes.count)))
                    features.append(leafFeature)
                    deepest = max(deepest, depth)
                }
            }
            depths.append(Int32(clamping: deepest))
        }
        var groupSteps: [Int32] = []
        for g in stride(from: 0, to: depths.count, by: CompiledForest.group) {
            groupSteps.append(depths[g..<min(depths.count, g + CompiledForest.group)].max() ?? 0)
        }
        self.storage = Storage(nodes: nodes, features: features, roots: roots, groupSteps: groupSteps, featureCount: max(0, f.featureCount),
                               splitTable: SplitTable(splits: splits))
        self.normaliser = IsolationForest.averagePathLength(f.maxSamples)
        self.offset = f.offset
        self.contamination = f.contamination
    }

    /// sklearn's `score_samples` for one point, the same value as ``IsolationForest/scoreSample(_:)``.
    ///
    /// The trees are walked eight at a time, each a fixed number of steps (see ``Node``), so the
    /// walks overlap instead of waiting on one another; their path lengths are added in tree
    /// order, so the sum is the same to the bit as one walk after the other.
    public func scoreSample(_ x: [Double]) -> Double {
        let st = storage
        let width = st.featureCount + 1
        var total = 0.0
        withUnsafeTemporaryAllocation(of: Double.self, capacity: width) { xs in
            // The point, NaN for any feature it lacks (NaN is `<=` nothing: it goes right), and
            // a value where leaves read (either way they stay).
            for i in 0..<width { xs[i] = i < st.featureCount && i < x.count ? x[i] : .nan }
            let xp = UnsafeBufferPointer(xs)
            st.nodes.withUnsafeBytes { raw in
                st.features.withUnsafeBufferPointer { fp in
                    st.roots.withUnsafeBufferPointer { roots in
                        guard let base = raw.baseAddress else { return }
                        let stride = MemoryLayout<Node>.stride, children = MemoryLayout<Node>.offset(of: \Node.children) ?? 8
                        // One step: the child at the comparison's outcome, read from memory.
                        @inline(__always) func step(_ i: Int) -> Int {
                            let goesRight = xp[Int(fp[i])] <= base.load(fromByteOffset: i &* stride, as: Double.self) ? 0 : 1
                            return Int(base.load(fromByteOffset: i &* stride &+ children &+ goesRight &* 4, as: Int32.self))
                        }
                        @inline(__always) func length(_ i: Int) -> Double { base.load(fromByteOffset: i &* stride, as: Double.self) }
                        var t = 0, g = 0
                        while t + CompiledForest.group <= roots.count {
                            var a = Int(roots[t]), b = Int(roots[t + 1]), c = Int(roots[t + 2]), d = Int(roots[t + 3])
                            var e = Int(roots[t + 4]), f = Int(roots[t + 5]), g2 = Int(roots[t + 6]), h = Int(roots[t + 7])
                            for _ in 0..<st.groupSteps[g] {
                                a = step(a); b = step(b); c = step(c); d = step(d)
                                e = step(e); f = step(f); g2 = step(g2); h = step(h)
                            }
                            total += length(a)
                            total += length(b)
                            total += length(c)
                            total += length(d)
                            total += length(e)
                            total += length(f)
                            total += length(g2)
                            total += length(h)
                            t += CompiledForest.group
                            g += 1
                        }
                        while t < roots.count {
                            var a = Int(roots[t])
                            for _ in 0..<st.groupSteps[g] { a = step(a) }
                            total += length(a)
                            t += 1
                        }
                    }
                }
            }
        }
        return -pow(2.0, -(total / Double(st.roots.count)) / normaliser)
    }
}
