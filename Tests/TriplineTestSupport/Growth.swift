import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How cost grows with input: the CPU time of `run(8 * n)` over that of `run(n)`, each the best
/// of a few runs on this thread's own clock (so other processes on a shared machine do not
/// count). Linear work gives about 8; the adversarial tests allow up to 12. Never a wall-clock
/// limit: the ratio holds on a slow machine and in a debug build.
public enum Growth {
    /// This thread's CPU time in seconds.
    public static func cpuSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// The best (least) CPU time of `runs` calls of `body`.
    public static func best(runs: Int = 3, _ body: () -> Void) -> Double {
        var best = Double.infinity
        for _ in 0..<runs {
            let t0 = cpuSeconds()
            body()
            best = min(best, cpuSeconds() - t0)
        }
        return best
    }

    /// The ratio of the cost of `input(8 * n)` to that of `input(n)`; `input` builds the input
    /// (not timed) and returns the work to time.
    public static func ratio(n: Int, _ input: (Int) -> () -> Void) -> (ratio: Double, small: Double, large: Double) {
        // Best of five: on a shared machine a run now and then is slowed by its neighbours
        // (the cache, the other hyperthread), more often the long one.
        let small = input(n), large = input(8 * n)
        let s = best(runs: 5, small), l = best(runs: 5, large)
        return (l / max(s, 1e-6), s, l)
    }
}
