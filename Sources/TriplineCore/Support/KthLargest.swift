/// The `k`-th largest of `values` (1 is the largest), found by selection rather than a full
/// sort: the detector's tables cut a flood's 50,000–100,000 scores back to half on every
/// halving, and sorting them all to read one was 13 % of a botnet's analysis.
///
/// Reorders `values`. See ``nthSmallest(_:_:by:maxRounds:)``, which does the work.
///
/// - Precondition: `1 <= k <= values.count`, and no value is NaN (it has no place in the order).
func kthLargest(_ values: inout [Double], _ k: Int, maxRounds: Int? = nil) -> Double {
    nthSmallest(&values, k - 1, by: >, maxRounds: maxRounds)
}

/// The element that would be at index `n` if `values` were sorted by `areInIncreasingOrder`
/// (a strict weak order), found by selection: expected O(n) comparisons where a sort takes
/// O(n log n). A flood of names that each fail once ties them all at a table's cut, and sorting
/// the tied names (to keep the smallest, whatever the hash seed) was a fifth of its analysis.
///
/// Reorders `values`, leaving the `n` smallest before index `n` and the largest after it (as
/// a sort would, but in no particular order within each part). Median-of-three pivots and a
/// three-way partition, so that many equal elements end a round at once rather than making it
/// quadratic. Orders that defeat the pivots anyway fall back to a sort once the rounds pass
/// twice the bits of the count, plus 4, which bounds the worst case at O(n log n).
///
/// - Parameter maxRounds: the partitioning rounds before the sort takes over (tests lower it
///   to check the fallback).
/// - Precondition: `0 <= n < values.count`.
func nthSmallest<T>(_ values: inout [T], _ n: Int, by areInIncreasingOrder: (T, T) -> Bool, maxRounds: Int? = nil) -> T {
    precondition(n >= 0 && n < values.count, "n must name one of the elements")
    var lo = 0, hi = values.count - 1
    var rounds = 0
    let roundLimit = maxRounds ?? 2 * (Int.bitWidth - values.count.leadingZeroBitCount) + 4
    return values.withUnsafeMutableBufferPointer { v -> T in
        while lo < hi {
            rounds += 1
            if rounds > roundLimit {
                v[lo...hi].sort(by: areInIncreasingOrder)
                return v[n]
            }
            // Median of three, as the pivot.
            let mid = lo + (hi - lo) / 2
            var a = v[lo], b = v[mid]
            let c = v[hi]
            if areInIncreasingOrder(b, a) { swap(&a, &b) }         // a <= b
            let pivot = areInIncreasingOrder(c, b) ? (areInIncreasingOrder(c, a) ? a : c) : b
            // Three-way partition: [lo, below) before the pivot, [below, i) equal, (above, hi] after.
            var below = lo, i = lo, above = hi
            while i <= above {
                if areInIncreasingOrder(v[i], pivot) {
                    v.swapAt(i, below); below += 1; i += 1
                } else if areInIncreasingOrder(pivot, v[i]) {
                    v.swapAt(i, above); above -= 1
                } else {
                    i += 1
                }
            }
            if n < below {
                hi = below - 1
            } else if n > above {
                lo = above + 1
            } else {
                return pivot
            }
        }
        return v[n]
    }
}
