#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether `haystack` contains `needle`, byte for byte (UTF-8), without Foundation's
/// locale-aware search: fast enough for per-event checks.
public func containsText(_ haystack: String, _ needle: String) -> Bool {
    var h = haystack, n = needle
    return h.withUTF8 { hb in
        n.withUTF8 { nb in
            guard nb.count > 0 else { return true }
            guard hb.count >= nb.count, let hp = hb.baseAddress, let np = nb.baseAddress else { return false }
            let last = hb.count - nb.count
            var i = 0
            while i <= last {
                guard let p = memchr(hp + i, Int32(np[0]), last - i + 1) else { return false }
                let j = hp.distance(to: p.assumingMemoryBound(to: UInt8.self))
                if memcmp(hp + j, np, nb.count) == 0 { return true }
                i = j + 1
            }
            return false
        }
    }
}
