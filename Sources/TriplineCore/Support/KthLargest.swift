/// The `k`-th largest of `values` (1 is the largest), found by selection rather than a full
/// sort: the detector's tables cut a flood's 50,000–100,000 scores back to half on every
/// halving, and sorting them all to read one was 13 % of a botnet's analysis.
///
/// Reorders `values`. Expected O(n): median-of-three pivots and a three-way partition (so that
/// many equal scores, the usual case of a flood's single failures, end a round at once rather
/// than making it quadratic). Inputs that defeat the pivots anyway — an attacker can choose
/// the order of the scores, not their values, but only so far — fall back to a sort once the
/// rounds pass twice the bits of `n`, which bounds the worst case at O(n log n).
///
/// - Parameter maxRounds: the partitioning rounds before the sort takes over; by default twice
///   the bits of `n`, plus 4 (tests lower it to check the fallback).
/// - Precondition: `1 <= k <= values.count`, and no value is NaN (it has no place in the order).
func kthLargest(_ values: inout [Double], _ k: Int, maxRounds: Int? = nil) -> Double {
    precondition(k >= 1 && k <= values.count, "k must name one of the values")
    // Selects, in descending order, the value that belongs at index `k - 1`.
    let target = k - 1
    var lo = 0, hi = values.count - 1
    var rounds = 0
    let roundLimit = maxRounds ?? 2 * (Int.bitWidth - values.count.leadingZeroBitCount) + 4
    return values.withUnsafeMutableBufferPointer { v -> Double in
        while lo < hi {
            rounds += 1
            if rounds > roundLimit {
                v[lo...hi].sort(by: >)
                return v[target]
            }
            // Median of three, as the pivot.
            let mid = lo + (hi - lo) / 2
            let a = v[lo], b = v[mid], c = v[hi]
            let pivot = max(min(a, b), min(max(a, b), c))
            // Three-way partition, descending: [lo, gt) > pivot, [gt, i) == pivot, (lt, hi] < pivot.
            var gt = lo, i = lo, lt = hi
            while i <= lt {
                let x = v[i]
                if x > pivot {
                    v.swapAt(i, gt); gt += 1; i += 1
                } else if x < pivot {
                    v.swapAt(i, lt); lt -= 1
                } else {
                    i += 1
                }
            }
            if target < gt {
                hi = gt - 1
            } else if target > lt {
                lo = lt + 1
            } else {
                return pivot
            }
        }
        return v[target]
    }
}
