/// Keeps one line from moving a host's clock.
///
/// Logs do jump in time: a log read again or a second file after the first goes back hours or
/// days, a host quiet all night comes back hours later. But a line's time is also something an
/// attacker can choose: their own `logger` calls, or a message sent to a syslog server that keeps
/// senders' timestamps. One line dated two hours back after every failed password made the
/// host's clock go back and forth, and each jump started the attack's windows over or closed its
/// incident, so a brute force was never found, or was found as thousands of incidents.
///
/// So a line more than ``span`` away from its host's clock, either way, does not move the clock
/// by itself. It is held (at most ``confirmLines`` per host) while the lines after it say what
/// happened:
/// - ``confirmLines`` lines in a row behind the old clock (``confirmLinesAhead`` ahead of it)
///   mean the clock really jumped (a replay, a second file, a night's silence): the held lines
///   are handed on with their own times and the clock follows them.
/// - A line that agrees with the old clock means the held lines were strays: they are handed on
///   *displaced*, stamped with the clock's time, and the clock stays where it was. Each state a
///   displaced line touches counts it no earlier than its own newest time (see
///   ``SlidingCounts/add(_:weight:window:displaced:)``), so it can neither start an attack's
///   windows over nor push them forward.
/// - At the end of the input, or when a live source goes idle (``settle()``), nothing has
///   contradicted the held lines: those ahead of the clock are handed on with their own times
///   (the first lines after a quiet night), those behind it displaced.
///
/// An attacker who writes ``confirmLines`` lines of their own between every two attempts can
/// still move the clock; what that does is split an attack into several incidents (a host's
/// incidents close when its clock goes back), never hide it, since a source's failures and
/// windows start over only on its own lines (see ``SourceState/add(_:keep:slowKeep:clock:timeline:displaced:)``).
struct TimeJumpGuard {
    /// How far from its host's clock a line may be, either way, and still move it at once.
    static let span = HostClocks.rewindSpan
    /// Lines in a row, behind the old clock, that make a jump back real (a log read again).
    static let confirmLines = 8
    /// Lines in a row, ahead of the old clock, that make a jump forward real. Time moves
    /// forward: a sparse log has a gap of over an hour every few lines (loghub's Linux sample,
    /// one line in 15), and what follows a gap is its next lines. A forward jump made by an
    /// attacker's own lines only moves the clock: the real lines after it are then displaced,
    /// counted together at the clock's time, never split up or wiped.
    static let confirmLinesAhead = 2
    /// Hosts with a guard of their own; hosts beyond share one, as their clocks share one in
    /// ``HostClocks``. Host names come from logs, which an attacker can write.
    static let maxHosts = HostClocks.maxHosts
    /// Lines held at most over every host.
    static let maxHeld = 4096

    private struct Host {
        /// The host's clock as the guard sees it: the newest time of the lines it let through.
        var now: Int64
        /// Lines away from the clock, in the order they came, waiting to be confirmed or not.
        var held: [LogEvent] = []
    }

    private var hosts: [String: Host] = [:]
    /// The host of the line before, and where it is (the table only grows, so a place stays
    /// good until the next insertion, which clears this): most lines are the same host's.
    private var last: (name: String, key: String, index: Dictionary<String, Host>.Index)?
    /// Hosts with lines held, so that ``settle()`` does not walk every host.
    private var holding: Set<String> = []
    /// Lines to hand on, in order, each with whether it is displaced (see ``admit(_:)``).
    private(set) var ready: [(event: LogEvent, displaced: Bool)] = []
    /// Lines held now, over every host.
    private var heldCount = 0
    /// Lines handed on displaced (stamped with their host's clock).
    private(set) var displaced = 0

    /// True when `e` goes on at once, as it is (the common case: it agrees with its host's
    /// clock and nothing of its host is held). False when it was taken: what can go on now, if
    /// anything, is in ``ready``, in order, for the caller to take with ``takeReady()``.
    mutating func admit(_ e: LogEvent) -> Bool {
        let t = e.timestamp.microseconds
        let i: Dictionary<String, Host>.Index
        let key: String
        if let l = last, l.name == e.host ?? "" {
            i = l.index
            key = l.key
        } else {
            let name = e.host ?? ""
            if let found = hosts.index(forKey: name) {
                key = name
                i = found
            } else if hosts.count < TimeJumpGuard.maxHosts {
                hosts[name] = Host(now: t)
                last = nil
                return true
            } else if let shared = hosts.index(forKey: "") {
                // Past the limit, hosts share one guard, as they share one clock in
                // HostClocks: a flood of host names must not leave a host unguarded.
                key = ""
                i = shared
            } else {
                hosts[""] = Host(now: t)
                last = nil
                return true
            }
            last = (name, key, i)
        }
        let now = hosts.values[i].now
        let agrees = t >= now &- TimeJumpGuard.span && t <= now &+ TimeJumpGuard.span
        if agrees {
            if !hosts.values[i].held.isEmpty {
                release(at: i, key: key, confirmed: false)
                if t > now { hosts.values[i].now = t }
                ready.append((e, false))
                return false
            }
            if t > now { hosts.values[i].now = t }
            return true
        }
        hosts.values[i].held.append(e)
        heldCount += 1
        if hosts.values[i].held.count == 1 { holding.insert(key) }
        // Read in place: a copy of the held lines would retain each of them.
        let needed = hosts.values[i].held[0].timestamp.microseconds > now ? TimeJumpGuard.confirmLinesAhead : TimeJumpGuard.confirmLines
        if hosts.values[i].held.count >= needed {
            release(at: i, key: key, confirmed: true)
        } else if heldCount > TimeJumpGuard.maxHeld {
            // Memory has a bound whatever host names are sent: past it, what is held goes on.
            settle()
        }
        return false
    }

    /// Hands every held line on (into ``ready``) when no more lines are coming for now (the
    /// input ended, or a live source went idle): lines ahead of their host's clock with their
    /// own times (time moves forward: the first lines after a quiet night), lines behind it
    /// displaced (fewer than ``confirmLines`` lines going back is not a timeline).
    mutating func settle() {
        guard !holding.isEmpty else { return }
        for key in holding.sorted() {
            guard let i = hosts.index(forKey: key), let lastHeld = hosts.values[i].held.last else { continue }
            release(at: i, key: key, confirmed: lastHeld.timestamp.microseconds > hosts.values[i].now)
        }
        holding.removeAll()
        last = nil
    }

    /// What ``ready`` holds, taken out (it is left empty).
    mutating func takeReady() -> [(event: LogEvent, displaced: Bool)] {
        var out: [(event: LogEvent, displaced: Bool)] = []
        swap(&out, &ready)
        return out
    }

    private mutating func release(at i: Dictionary<String, Host>.Index, key: String, confirmed: Bool) {
        let held = hosts.values[i].held
        hosts.values[i].held = []
        heldCount -= held.count
        holding.remove(key)
        if confirmed {
            // The clock jumped: it follows the held lines, as it would have without the guard,
            // and ends at the newest of them that agree with the last.
            var now = held[held.count - 1].timestamp.microseconds
            for e in held {
                let t = e.timestamp.microseconds
                if t > now, t <= now &+ TimeJumpGuard.span { now = t }
                ready.append((e, false))
            }
            hosts.values[i].now = now
        } else {
            displaced += held.count
            let now = hosts.values[i].now
            for var e in held {
                e.timestamp = Timestamp(microseconds: now)
                ready.append((e, true))
            }
        }
    }
}
