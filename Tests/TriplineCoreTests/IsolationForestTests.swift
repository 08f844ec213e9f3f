import Foundation
import Testing
@testable import TriplineCore

/// Tripline's isolation forest against scikit-learn's on the committed fixture
/// (`Tests/Fixtures/isolation_forest/make_fixture.py`).
@Suite struct IsolationForestTests {
    struct Fixture {
        let train: [[Double]]
        let test: [[Double]]
        let scores: [Double]
        let offset: Double
        let outliers: Set<Int>
        let contamination: Double
    }

    static func fixture() throws -> Fixture {
        var url = URL(fileURLWithPath: #filePath)
        url.deleteLastPathComponent(); url.deleteLastPathComponent()
        url.appendPathComponent("Fixtures/isolation_forest/fixture.json")
        let v = try JSONParser.parse(String(decoding: try Data(contentsOf: url), as: UTF8.self))
        func matrix(_ k: String) -> [[Double]] {
            guard case .array(let rows)? = v[k] else { return [] }
            return rows.map { r in
                guard case .array(let xs) = r else { return [] }
                return xs.compactMap(\.numberValue)
            }
        }
        guard case .array(let s)? = v["sklearn_score_samples"], case .array(let o)? = v["sklearn_outliers"] else {
            throw CocoaError(.fileReadCorruptFile)
        }
        return Fixture(train: matrix("train"), test: matrix("test"), scores: s.compactMap(\.numberValue),
                       offset: v["sklearn_offset"]?.numberValue ?? 0,
                       outliers: Set(o.compactMap { $0.numberValue.map { Int($0) } }),
                       contamination: v["contamination"]?.numberValue ?? 0)
    }

    /// The fixture and the compiled forest the memo tests score with.
    static func compiledFixture() throws -> (Fixture, CompiledForest) {
        let f = try fixture()
        return (f, CompiledForest(IsolationForest(data: f.train, contamination: f.contamination, seed: 5)))
    }

    /// Spearman's rank correlation.
    static func spearman(_ a: [Double], _ b: [Double]) -> Double {
        func ranks(_ x: [Double]) -> [Double] {
            let order = x.indices.sorted { x[$0] < x[$1] }
            var r = [Double](repeating: 0, count: x.count)
            var i = 0
            while i < order.count {
                var j = i
                while j + 1 < order.count, x[order[j + 1]] == x[order[i]] { j += 1 }
                let avg = Double(i + j) / 2 + 1
                for k in i...j { r[order[k]] = avg }
                i = j + 1
            }
            return r
        }
        let ra = ranks(a), rb = ranks(b)
        let ma = ra.reduce(0, +) / Double(ra.count), mb = rb.reduce(0, +) / Double(rb.count)
        var num = 0.0, da = 0.0, db = 0.0
        for i in ra.indices {
            num += (ra[i] - ma) * (rb[i] - mb)
            da += (ra[i] - ma) * (ra[i] - ma)
            db += (rb[i] - mb) * (rb[i] - mb)
        }
        return num / (da * db).squareRoot()
    }

    @Test func agreesWithScikitLearn() throws {
        let f = try Self.fixture()
        #expect(f.train.count == 1000 && f.test.count == 200)
        let forest = IsolationForest(data: f.train, nEstimators: 100, maxSamples: 256, contamination: f.contamination, seed: 1)
        let ours = forest.scoreSamples(f.test)
        let rho = Self.spearman(ours, f.scores)
        print("isolation forest vs scikit-learn: Spearman \(String(format: "%.4f", rho)), offset \(String(format: "%.4f", forest.offset)) vs \(String(format: "%.4f", f.offset))")
        #expect(rho >= 0.9)
        let ourOutliers = Set(f.test.indices.filter { forest.isOutlier(f.test[$0]) })
        #expect(ourOutliers == f.outliers, "ours: \(ourOutliers.sorted()), sklearn: \(f.outliers.sorted())")
        #expect(abs(forest.offset - f.offset) < 0.05)
    }

    @Test func isDeterministicForASeedAndDiffersAcrossSeeds() throws {
        let f = try Self.fixture()
        let a = IsolationForest(data: f.train, seed: 7), b = IsolationForest(data: f.train, seed: 7), c = IsolationForest(data: f.train, seed: 8)
        #expect(a.scoreSamples(f.test) == b.scoreSamples(f.test))
        #expect(a.scoreSamples(f.test) != c.scoreSamples(f.test))
    }

    /// The compiled layout the detector scores with (breadth-first, siblings side by side,
    /// path lengths in the leaves) gives the tree walk's scores exactly, on the fixture's points,
    /// on the training points and on points far outside them.
    @Test func compiledForestScoresExactlyAsTheTrees() throws {
        let f = try Self.fixture()
        let forest = IsolationForest(data: f.train, contamination: f.contamination, seed: 5)
        let compiled = CompiledForest(forest)
        var rng = SplitMix64(seed: 9)
        let far = (0..<200).map { _ in f.train[0].indices.map { _ in (Double(rng.next() % 20_001) - 10_000) / 100 } }
        for x in f.test + f.train.prefix(300) + far {
            #expect(compiled.scoreSample(x) == forest.scoreSample(x), "\(x)")
        }
        #expect(compiled.offset == forest.offset)
    }

    /// The compiled walks step by reading the child at the comparison's outcome: the tree
    /// walk's path for points exactly on splits, a last bit either side of them, at +0 and -0,
    /// subnormal, infinite or NaN, and for a hand-edited forest whose splits are -0, infinite or
    /// NaN.
    @Test func compiledStepsTakeTheTreeWalksPath() throws {
        let f = try Self.fixture()
        var forest = IsolationForest(data: f.train, contamination: f.contamination, seed: 5)
        let width = forest.featureCount
        var splits: [[Double]] = Array(repeating: [], count: width)
        for t in forest.trees {
            for n in t.left.indices where t.left[n] >= 0 { splits[Int(t.feature[n])].append(t.threshold[n]) }
        }
        var rng = SplitMix64(seed: 21)
        func value(_ j: Int) -> Double {
            let s = splits[j].isEmpty ? 0 : splits[j][Int(rng.next() % UInt64(splits[j].count))]
            switch rng.next() % 12 {
            case 0, 1, 2: return s
            case 3, 4: return s.nextUp
            case 5, 6: return s.nextDown
            case 7: return [0.0, -0.0][Int(rng.next() % 2)]
            case 8: return [Double.leastNonzeroMagnitude, -Double.leastNonzeroMagnitude][Int(rng.next() % 2)]
            case 9: return [Double.infinity, -Double.infinity][Int(rng.next() % 2)]
            case 10: return rng.next() % 50 == 0 ? .nan : s
            default: return (Double(rng.next() % 20_001) - 10_000) / 100
            }
        }
        let points = (0..<3_000).map { _ in (0..<width).map(value) }
        let compiled = CompiledForest(forest)
        var differ = 0
        for x in points where compiled.scoreSample(x) != forest.scoreSample(x) { differ += 1 }
        #expect(differ == 0, "\(differ) of \(points.count) points scored differently")
        // Splits a hand-edited model may have: at -0 (0 goes left of it), infinite, NaN.
        forest.trees[0].threshold[0] = -0.0
        forest.trees[1].threshold[0] = .infinity
        forest.trees[2].threshold[0] = -.infinity
        forest.trees[3].threshold[0] = .nan
        let edited = CompiledForest(forest)
        differ = 0
        for x in points + [[Double](repeating: 0, count: width), [Double](repeating: -0.0, count: width)]
        where edited.scoreSample(x) != forest.scoreSample(x) { differ += 1 }
        #expect(differ == 0, "\(differ) points scored differently by the edited forest")
        forest.trees[1].threshold[0] = 0.5
        forest.trees[2].threshold[0] = 0.5
        forest.trees[3].threshold[0] = 0.5
        let onlyNegativeZero = CompiledForest(forest)
        differ = 0
        for x in points + [[Double](repeating: 0, count: width), [Double](repeating: -0.0, count: width)]
        where onlyNegativeZero.scoreSample(x) != forest.scoreSample(x) { differ += 1 }
        #expect(differ == 0, "\(differ) points scored differently with a split at -0")
    }

    /// The memo gives the walk's score bit for bit: for points on either side of a split, exactly
    /// on one, NaN and infinite; scored first (a miss) and again (a hit), and for different points
    /// that share every leaf. Points that differ by one split get their own scores.
    @Test func memoisedScoresAreTheWalksScores() throws {
        let (f, compiled) = try Self.compiledFixture()
        let table = try #require(compiled.splitTable)
        var memo = ForestMemo()
        var rng = SplitMix64(seed: 3)
        let width = f.train[0].count
        var points = f.test + f.train.prefix(200)
        // On a split value, and a hair either side of it.
        for i in 0..<200 {
            var x = f.train[i % f.train.count]
            let feature = i % width
            let lo = Int(table.starts[feature]), hi = Int(table.starts[feature + 1])
            guard hi > lo else { continue }
            let v = table.values[lo + Int(rng.next() % UInt64(hi - lo))]
            x[feature] = v; points.append(x)
            x[feature] = v.nextUp; points.append(x)
            x[feature] = v.nextDown; points.append(x)
        }
        var odd = f.train[0]
        odd[0] = .nan; points.append(odd)
        odd[0] = .infinity; points.append(odd)
        odd[0] = -.infinity; points.append(odd)
        for x in points + points {
            #expect(memo.score(x, forest: compiled) == compiled.scoreSample(x), "\(x)")
        }
        #expect(memo.hits > points.count / 2, "the second pass is mostly served from the memo")
    }

    /// On points that never repeat, the memo rests (walks without keys) and the scores stay
    /// the walk's.
    @Test func theMemoRestsWhenNothingRepeats() throws {
        let (f, compiled) = try Self.compiledFixture()
        var memo = ForestMemo()
        var rng = SplitMix64(seed: 77)
        let width = f.train[0].count
        let n = 3 * ForestMemo.stretchLength
        for _ in 0..<n {
            // Each feature from a different training point, nudged: inside the data, between its splits.
            let x = (0..<width).map { j in f.train[Int(rng.next() % UInt64(f.train.count))][j] * (1 + Double(rng.next() % 1000) / 1e5) }
            #expect(memo.score(x, forest: compiled) == compiled.scoreSample(x))
        }
        #expect(memo.hits + memo.misses <= ForestMemo.stretchLength + 1, "after a stretch without hits it rests: \(memo.hits + memo.misses) lookups")
    }

    /// A memo key counts, per feature, the split values below the point: the same as counting
    /// them one by one, for values between splits, on them, at 0 and 1 (flags), signed zeros,
    /// infinities and NaN, and for tables of every size (bucketed or searched).
    @Test func memoKeysCountTheSplitsBelowEachValue() throws {
        var rng = SplitMix64(seed: 3)
        for size in [0, 1, 2, 3, 7, 8, 9, 100, 2_557] {
            var splits = (0..<size).map { _ in Double(rng.next() % 20_001) / 10_000 - 1 }
            if size > 4 { splits += [0, 1, -1] }
            let sorted = Array(Set(splits)).sorted()
            let table = try #require(CompiledForest.SplitTable(splits: [splits, [0.5]]))
            var probes: [Double] = [0, -0.0, 1, -1, 0.5, .infinity, -.infinity, .nan, 1e-300, -1e-300]
            probes += sorted
            probes += sorted.map { $0.nextUp } + sorted.map { $0.nextDown }
            probes += (0..<200).map { _ in Double(rng.next() % 30_001) / 10_000 - 1.5 }
            for x in probes {
                let k = try #require(table.key([x, 0.7]))
                let expected = x.isNaN ? sorted.count + 1 : sorted.filter { $0 < x }.count
                let bits = (UInt64(sorted.count) + 1).bitWidth - (UInt64(sorted.count) + 1).leadingZeroBitCount
                let mask: UInt64 = bits >= 64 ? .max : (1 << UInt64(max(1, bits))) - 1
                #expect(Int(k.0 & mask) == expected, "\(size) splits, x = \(x)")
                if !x.isNaN { #expect(SplitTableProbe.lowerBound(sorted, x) == expected, "\(size) values, x = \(x)") }
            }
        }
    }

    /// A forest of many features with many splits each needs a fourth key word, which the
    /// memo's slots do not hold: those points are walked, with the same scores.
    @Test func pointsWhoseKeysNeedAFourthWordAreWalked() {
        var rng = SplitMix64(seed: 4)
        let data = (0..<2_000).map { _ in (0..<20).map { _ in Double(rng.next() % 1_000_000) / 1_000 } }
        let compiled = CompiledForest(IsolationForest(data: data, seed: 3))
        var memo = ForestMemo()
        var fourth = 0
        // Each point, then the same point with its last features taken from another: the same
        // first three words, another fourth.
        let inFourth = Set((0..<20).filter { compiled.splitTable?.word[$0] == 3 })
        var points: [[Double]] = []
        for i in 0..<400 { points += [data[i], (0..<20).map { inFourth.contains($0) ? data[i + 1_000][$0] : data[i][$0] }] }
        var sameFirstWords = 0
        for (i, x) in (points + points).enumerated() {
            if let k = compiled.memoKey(x), k.3 != 0 { fourth += 1 }
            if i % 2 == 1, let a = compiled.memoKey(points[i % points.count - 1]), let b = compiled.memoKey(x),
               (a.0, a.1, a.2) == (b.0, b.1, b.2), a.3 != b.3 { sameFirstWords += 1 }
            #expect(memo.score(x, forest: compiled) == compiled.scoreSample(x))
        }
        #expect(fourth > 0, "no point needed a fourth word")
        #expect(sameFirstWords > 0, "no pair differed in the fourth word only")
    }

    /// Points that keep coming back but collide in the memo's slots make it grow (to its bound,
    /// not beyond), after which they are found; the scores stay the walk's throughout.
    @Test func theMemoGrowsWhenRepeatingPointsPushEachOtherOut() throws {
        let (f, compiled) = try Self.compiledFixture()
        var memo = ForestMemo()
        var rng = SplitMix64(seed: 11)
        let width = f.train[0].count
        // 3,000 distinct points (by key), cycled: in 4,096 pairs of slots some pairs get three or
        // more, which push each other out on every pass.
        var seen = Set<[UInt64]>()
        var points: [[Double]] = []
        while points.count < 3000 {
            let x = (0..<width).map { j in f.train[Int(rng.next() % UInt64(f.train.count))][j] * (1 + Double(rng.next() % 1000) / 1e5) }
            guard let k = compiled.memoKey(x), seen.insert([k.0, k.1, k.2, k.3]).inserted else { continue }
            points.append(x)
        }
        for _ in 0..<6 {
            for x in points { #expect(memo.score(x, forest: compiled) == compiled.scoreSample(x)) }
        }
        #expect(memo.slotCount > ForestMemo.initialSlots, "collisions made it grow: \(memo.slotCount) slots")
        #expect(memo.slotCount <= ForestMemo.maxSlots)
        let before = memo.hits
        for x in points { _ = memo.score(x, forest: compiled) }
        // Without growing, the pairs holding three or more of these points would push one out on every pass.
        #expect(memo.hits - before > points.count * 85 / 100, "\(memo.hits - before) of \(points.count) found after growing")
    }

    /// A forest read from a damaged or hand-edited model is checked before anything walks it.
    @Test func structuralProblemsAreFoundBeforeAWalkCouldLoopOrCrash() throws {
        let f = try Self.fixture()
        let good = IsolationForest(data: f.train, nEstimators: 5, seed: 2)
        #expect(good.structuralProblem == nil)
        #expect(good.trees.allSatisfy { $0.depth <= 8 } && good.trees.contains { $0.depth == 8 })
        var loop = good
        loop.trees[1].left[0] = 0
        #expect(loop.structuralProblem?.contains("tree 1 node 0") == true)
        var outside = good
        outside.trees[0].right[0] = Int32(outside.trees[0].right.count)
        #expect(outside.structuralProblem != nil)
        var feature = good
        feature.trees[2].feature[0] = Int32(good.featureCount)
        #expect(feature.structuralProblem?.contains("feature") == true)
        var short = good
        short.trees[0].size.removeLast()
        #expect(short.structuralProblem?.contains("length") == true)
    }

    @Test func semanticsMatchTheDefinition() {
        #expect(IsolationForest.averagePathLength(1) == 0)
        #expect(IsolationForest.averagePathLength(2) == 1)
        // c(256) ≈ 10.24 (2·H(255) − 2·255/256).
        #expect(abs(IsolationForest.averagePathLength(256) - 10.2448) < 0.001)
        // Tiny data: max_samples is min(256, n) and the depth limit follows it.
        let small = IsolationForest(data: [[0], [1], [2], [3], [100]], nEstimators: 50, contamination: 0.2, seed: 3)
        #expect(small.maxSamples == 5)
        #expect(small.trees.allSatisfy { t in t.left.count <= 2 * 5 })
        #expect(small.isOutlier([100]) && !small.isOutlier([1.5]))
        // Scores lie in (-1, 0].
        let s = small.scoreSample([50])
        #expect(s < 0 && s > -1)
    }
}

/// The binary search on its own, over an array.
enum SplitTableProbe {
    static func lowerBound(_ v: [Double], _ x: Double) -> Int {
        v.withUnsafeBufferPointer { b in
            guard let p = b.baseAddress else { return 0 }
            return CompiledForest.SplitTable.lowerBound(p, b.count, x)
        }
    }
}
