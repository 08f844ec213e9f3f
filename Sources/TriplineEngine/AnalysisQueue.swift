import Foundation
import Synchronization

/// Runs analyses (CPU-bound, seconds long for a big body) on threads of its own, a few at a
/// time, never on Swift's cooperative thread pool: there a couple of slow analyses would take
/// every thread and `/health` would stop answering. At most ``workers`` run at once and
/// ``waiting`` more wait; beyond that a caller is told to come back later (HTTP 503 with
/// `Retry-After`, an MCP tool error) instead of queueing without bound. On a machine with
/// several cores one is left to the server's own threads, so health checks and small requests
/// are answered however busy the workers are (`/health` p99 under 5 ms in a 10-minute soak on
/// 2 cores).
///
/// A caller takes a ``Ticket`` before it reads a request body, so bodies held in memory are
/// bounded too: at most `workers + waiting` of them.
public final class AnalysisQueue: Sendable {
    /// Analyses that run at once.
    public let workers: Int
    /// Analyses that may wait for a worker.
    public let waiting: Int

    private let admitted = Mutex(0)
    private let pool: Pool

    /// The worker threads' side: jobs waiting and the signal that one came (the threads hold
    /// this, not the queue, and end when the queue goes).
    private final class Pool: Sendable {
        let jobs = Mutex([@Sendable () -> Void]())
        let stopped = Mutex(false)
        let ready = DispatchSemaphore(value: 0)

        /// A worker: runs jobs as they come until stopped.
        func work() {
            while true {
                ready.wait()
                if stopped.withLock({ $0 }) { return }
                let job = jobs.withLock { $0.isEmpty ? nil : $0.removeFirst() }
                job?()
                // An analysis lets go of all its state at once: with nothing else waiting,
                // hand the memory back rather than keep the peak of the largest request.
                if job != nil, jobs.withLock({ $0.isEmpty }) { MemoryTuning.giveBack() }
            }
        }
    }

    /// A queue with `workers` running at once (default: one per core, leaving one core for the
    /// rest of the server when there are several) and `waiting` more.
    public init(workers: Int? = nil, waiting: Int = 8) {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let w = max(1, workers ?? max(1, cores - 1))
        self.workers = w
        self.waiting = max(0, waiting)
        let pool = Pool()
        self.pool = pool
        for i in 0..<w {
            let t = Thread { pool.work() }
            t.name = "tripline-analysis-\(i)"
            t.start()
        }
    }

    deinit {
        pool.stopped.withLock { $0 = true }
        for _ in 0..<workers { pool.ready.signal() }
    }

    /// Full: the caller should try again after `retryAfter` seconds.
    public struct Busy: Error, CustomStringConvertible, Sendable {
        public let retryAfter: Int
        public var description: String {
            "the server is busy with other analyses; try again in \(retryAfter) s"
        }
    }

    /// A place in the queue, held from before the request body is read until the request is
    /// answered. Given back by ``release()`` (once; later calls do nothing) or when dropped.
    public final class Ticket: Sendable {
        private let queue: AnalysisQueue
        private let released = Mutex(false)
        init(queue: AnalysisQueue) { self.queue = queue }
        deinit { release() }

        /// Gives the place back without running anything (the request failed before its analysis).
        public func release() {
            let first = released.withLock { r in
                defer { r = true }
                return !r
            }
            if first { queue.admitted.withLock { $0 -= 1 } }
        }

        /// Runs `work` on a worker thread when one is free.
        public func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
            await withCheckedContinuation { continuation in
                queue.submit { continuation.resume(returning: work()) }
            }
        }
    }

    private func submit(_ job: @escaping @Sendable () -> Void) {
        pool.jobs.withLock { $0.append(job) }
        pool.ready.signal()
    }

    /// Takes a place, or throws ``Busy`` when `workers + waiting` analyses are admitted already.
    public func admit() throws(Busy) -> Ticket {
        let ok = admitted.withLock { n -> Bool in
            guard n < workers + waiting else { return false }
            n += 1
            return true
        }
        guard ok else { throw Busy(retryAfter: 2) }
        return Ticket(queue: self)
    }

    /// Analyses admitted now (running or waiting).
    public var inFlight: Int { admitted.withLock { $0 } }
}
