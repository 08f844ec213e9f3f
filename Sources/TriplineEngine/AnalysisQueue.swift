import Dispatch
import Foundation
import Synchronization

/// Runs analyses (CPU-bound, seconds long for a big body) on threads of their own, a few at a
/// time, never on Swift's cooperative thread pool: there a couple of slow analyses would take
/// every thread and `/health` would stop answering. At most ``workers`` run at once and
/// ``waiting`` more wait; beyond that a caller is told to come back later (HTTP 503 with
/// `Retry-After`, an MCP tool error) instead of queueing without bound.
///
/// A caller takes a ``Ticket`` before it reads a request body, so bodies held in memory are
/// bounded too: at most `workers + waiting` of them.
public final class AnalysisQueue: Sendable {
    /// Analyses that run at once.
    public let workers: Int
    /// Analyses that may wait for a worker.
    public let waiting: Int

    private let admitted = Mutex(0)
    private let slots: DispatchSemaphore
    private let queue = DispatchQueue(label: "tripline.analysis", attributes: .concurrent)

    /// A queue with `workers` running at once (default: the machine's cores) and `waiting` more.
    public init(workers: Int? = nil, waiting: Int = 8) {
        let w = max(1, workers ?? ProcessInfo.processInfo.activeProcessorCount)
        self.workers = w
        self.waiting = max(0, waiting)
        slots = DispatchSemaphore(value: w)
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
                queue.queue.async {
                    self.queue.slots.wait()
                    let value = work()
                    self.queue.slots.signal()
                    continuation.resume(returning: value)
                }
            }
        }
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

