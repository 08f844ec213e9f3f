#if canImport(Glibc)
import Glibc
#endif

/// How the long-running processes keep their resident memory near what they hold.
///
/// glibc's allocator gives every thread that allocates its own arena (up to eight per core)
/// and keeps what is freed in each for reuse: a dashboard whose detector lets go of the state
/// of tens of thousands of finished attacks, on whichever threads the actor ran, stayed 40 MB
/// above what it held. Two arenas and an occasional trim keep it close. (`malloc.h` is not
/// in Swift's Glibc module: the two functions are looked up by name, and where they are
/// missing, as on other C libraries, nothing is done.)
public enum MemoryTuning {
    /// Limits the allocator's arenas to `count` and serves large blocks from mmap (an
    /// operator's `MALLOC_ARENA_MAX` or `MALLOC_MMAP_THRESHOLD_` wins). Call first thing, before
    /// any thread starts.
    public static func limitArenas(to count: Int32 = 2) {
        #if canImport(Glibc)
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let f = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        let mARenaMax: Int32 = -8  // M_ARENA_MAX in malloc.h
        if getenv("MALLOC_ARENA_MAX") == nil { _ = unsafeBitCast(f, to: Mallopt.self)(mARenaMax, count) }
        // Large blocks (a request body, a document being answered) always from mmap, so they go
        // back to the system when freed. glibc otherwise raises the threshold after the first
        // large free and serves the next ones from the heap, where what outlives them pins the
        // pages: serve's resting RSS moved between 90 and 108 MB from one request to the next.
        guard getenv("MALLOC_MMAP_THRESHOLD_") == nil else { return }
        let mMmapThreshold: Int32 = -3  // M_MMAP_THRESHOLD in malloc.h
        _ = unsafeBitCast(f, to: Mallopt.self)(mMmapThreshold, 256 << 10)
        #endif
    }

    /// Returns freed memory to the system (after a large batch of state was let go).
    public static func giveBack() {
        #if canImport(Glibc)
        typealias MallocTrim = @convention(c) (Int) -> Int32
        guard let f = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return }
        _ = unsafeBitCast(f, to: MallocTrim.self)(0)
        #endif
    }

    /// Gives memory back every `seconds` until cancelled (for servers, whose requests free
    /// their state and their responses on threads the server picks).
    public static func giveBackPeriodically(every seconds: Double = 10, first: (@Sendable () -> Void)? = nil) -> Task<Void, Never> {
        Task.detached(priority: .background) {
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
                first?()
                giveBack()
            }
        }
    }
}
