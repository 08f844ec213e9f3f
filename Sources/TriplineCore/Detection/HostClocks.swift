/// Log time as each host tells it. Input is not one clean timeline: a central syslog folder
/// holds hosts whose clocks disagree, streams interleave them slightly out of order, and a log
/// read twice (or a second file after the first) sends time back by hours or days. Incidents are
/// timed against the clock of the host they came from, so one host's skew or replay never
/// closes, merges or stalls another's; a host whose time jumps back by more than
/// ``rewindSpan`` has started a new timeline.
struct HostClocks {
    struct Clock {
        /// The newest time the host logged (since its last rewind).
        var now: Int64
        /// When its incidents were last checked for expiry, in its own time.
        var lastSweep: Int64
        /// Its number, in the order the clocks were first seen (see ``names``).
        var number: UInt32
        /// How many times it went back (see ``Tick/timeline``).
        var timeline: UInt32 = 0
    }

    /// How far back a host's time may go and still be the same timeline (lines written out of
    /// order by seconds or minutes are; a replayed day is not).
    static let rewindSpan = micros(3600)
    /// How often (in a host's own time) its quiet incidents are closed.
    static let sweepEvery = micros(60)
    /// Hosts with a clock of their own; hosts beyond share one (host names come from logs,
    /// which an attacker can write).
    static let maxHosts = 10_000

    /// The newest time seen from any host.
    private(set) var newest: Int64 = .min
    private var clocks: [String: Clock] = [:]
    /// The clocks' keys by number: state kept per source names its clock by number, in 4
    /// bytes, not 16. (The table only grows, and to ``maxHosts`` at most.)
    private(set) var names: [String] = []
    /// The clock the last event went to, and where it is (the table only grows, so a place
    /// stays good until the next insertion, which clears this).
    private var last: (key: String, index: Dictionary<String, Clock>.Index)?

    /// What one event's time means for its host's clock.
    struct Tick {
        /// The host's time went back by more than ``rewindSpan``: its open incidents belong to
        /// the timeline that ended.
        var rewound = false
        /// Time to close the host's quiet incidents.
        var sweepDue = false
        /// The host's timeline: how many times its time went back (wrapping). State kept with
        /// an earlier one belongs to a timeline that ended (``SourceState`` starts over).
        var timeline: UInt32 = 0
    }

    /// The time of `key`'s clock (the newest time overall when it has none).
    func now(_ key: String) -> Int64 { clocks[key]?.now ?? newest }

    /// The time of the clock numbered `number` (the newest time overall when there is none).
    func now(number: UInt32) -> Int64 { Int(number) < names.count ? now(names[Int(number)]) : newest }

    /// Moves the clock of `host` on with an event at `t` (one table lookup): the key of its clock
    /// (the host's own; a shared one past ``maxHosts`` hosts), its number, and what the time
    /// means for it.
    mutating func observe(host: String?, at t: Int64) -> (key: String, number: UInt32, tick: Tick) {
        if t > newest { newest = t }
        var key = host ?? ""
        var i: Dictionary<String, Clock>.Index?
        if let l = last, l.key == key {
            // The same host as the event before (the common case): no hashing.
            i = l.index
        } else {
            i = clocks.index(forKey: key)
            if i == nil, clocks.count >= HostClocks.maxHosts {
                key = ""
                i = clocks.index(forKey: key)
            }
        }
        guard let i else {
            let number = UInt32(names.count)
            clocks[key] = Clock(now: t, lastSweep: t, number: number)
            names.append(key)
            last = nil
            return (key, number, Tick())
        }
        last = (key, i)
        var tick = Tick()
        let number = clocks.values[i].number
        if t < clocks.values[i].now - HostClocks.rewindSpan {
            clocks.values[i] = Clock(now: t, lastSweep: t, number: number, timeline: clocks.values[i].timeline &+ 1)
            tick.rewound = true
        } else if t > clocks.values[i].now {
            clocks.values[i].now = t
            if t - clocks.values[i].lastSweep > HostClocks.sweepEvery {
                clocks.values[i].lastSweep = t
                tick.sweepDue = true
            }
        }
        tick.timeline = clocks.values[i].timeline
        return (key, number, tick)
    }
}
