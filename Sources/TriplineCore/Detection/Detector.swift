/// The detection engine: feed it events in time order, one at a time, and it keeps the state
/// its rules need (bounded windows per source and user), opens and extends incidents, and closes
/// them when they go quiet. `tripline analyze` feeds it a file; the live dashboard feeds it line
/// by line — the same code, the same anomalies.
///
/// Rules: brute force, slow brute force, password spraying and user enumeration per source;
/// success after failures; account takeover and service-account misuse against the user's
/// baseline; privilege escalation; bulk data access; and isolation-forest outliers, which on
/// their own are at most `low`.
public struct Detector {
    /// The model (baselines and forest); nil runs the rules that need no history.
    public private(set) var model: TriplineModel?
    /// The thresholds.
    public private(set) var config: DetectionConfig {
        didSet { sharedConfig = SharedConfig(config) }
    }
    /// ``config``, held by reference for the open incidents that write their reasons with it
    /// when they are read out.
    private(set) var sharedConfig: SharedConfig

    var windows = DetectionWindows()
    var book: IncidentBook
    var limits = Limits()
    /// What each source did, by address (``HashedName``: a botnet's every line adds one and a
    /// sweep removes it, and their hashes are taken once).
    var sources: [HashedName: SourceState] = [:]
    /// The number of the host clock of the event being processed (see ``HostClocks/observe(host:at:)``).
    var clockNumber: UInt32 = 0
    /// The timeline of that clock (``HostClocks/Tick/timeline``).
    var clockTimeline: UInt32 = 0
    /// The files of the failures the sources keep.
    var failureFiles = FileNumbers()
    var users: [String: UserState] = [:]
    /// Sources' probing connections (reconnaissance).
    var scans: [String: ScanState] = [:]
    var clocks = HostClocks()
    /// Holds a line far from its host's clock until the lines after it confirm the jump.
    var timeGuard = TimeJumpGuard()
    /// The event being processed was displaced (see ``TimeJumpGuard``): each state it touches
    /// counts it no earlier than its own newest, and it starts nothing over.
    var displaced = false
    var lastSweep: Int64 = .min
    var lastCollect: Int64 = .min
    var eventsAtCollect = 0
    /// Failures the sources keep one by one (``failuresKept``, followed as they come and go).
    var failuresHeld = 0
    /// The model's forest, laid out for fast scoring.
    private(set) var forest: CompiledForest? { didSet { memo = ForestMemo() } }
    /// Scores of points already scored by ``forest``.
    var memo = ForestMemo()
    /// What the baseline says about the last event's user and source (cleared when the model,
    /// and so the baselines, change).
    var factsCache: BaselineFacts?
    /// ``UserFacts`` of the users seen so far that the model has a baseline for.
    var userFacts: [String: UserFacts] = [:]
    /// Events processed.
    public private(set) var eventsProcessed = 0
    /// Events the isolation forest scored, and how many it called outliers.
    public internal(set) var eventsScored = 0
    public internal(set) var outlierEvents = 0

    /// A detector with a model (or none) and thresholds (default: the model's, else the defaults).
    public init(model: TriplineModel?, config: DetectionConfig? = nil) {
        self.init(model: model, config: config, compiled: model?.forest.map(CompiledForest.init))
    }

    /// A detector with the model's forest compiled already (servers compile it once per model,
    /// not once per request).
    public init(model: TriplineModel?, config: DetectionConfig?, compiled: CompiledForest?) {
        self.model = model
        self.config = config ?? model?.config ?? DetectionConfig()
        self.sharedConfig = SharedConfig(self.config)
        self.book = IncidentBook(evidenceLimit: self.config.evidenceLimit)
        self.forest = compiled
    }

    /// Swaps in a newly trained model; windows and open incidents carry on. `config` replaces
    /// the thresholds too (the new model's, with a config file's settings laid over them).
    public mutating func replaceModel(_ m: TriplineModel, config: DetectionConfig? = nil) {
        model = m
        factsCache = nil
        userFacts = [:]
        forest = m.forest.map(CompiledForest.init)
        if let config { self.config = config }
        book.evidenceLimit = self.config.evidenceLimit
    }

    /// Processes one event. A line far from its host's clock may be held until the lines after
    /// it say whether the clock really jumped (see ``TimeJumpGuard``); ``finish()`` and
    /// ``settle()`` hand on what is held.
    public mutating func process(_ event: LogEvent) {
        if timeGuard.admit(event) {
            processAdmitted(event)
        } else {
            processReady()
        }
    }

    /// Hands on the lines held by the time guard with their own times: a live source has gone
    /// idle, and nothing contradicted them (they may be the first lines after a quiet night).
    public mutating func settle() {
        timeGuard.settle()
        processReady()
    }

    /// Lines handed on displaced: their time was hours from their host's clock, and the lines
    /// after them did not follow it, so they were counted at the clock's time.
    public var displacedEvents: Int { timeGuard.displaced }

    private mutating func processReady() {
        for (e, displaced) in timeGuard.takeReady() {
            self.displaced = displaced
            processAdmitted(e)
        }
        self.displaced = false
    }

    @inline(__always)
    private mutating func processAdmitted(_ event: LogEvent) {
        // A PAM host name known to stand for an address counts as that address (copying the
        // event only then: this is the hot path).
        if let e = windows.withCanonicalSource(event) { processCanonical(e) } else { processCanonical(event) }
    }

    private mutating func processCanonical(_ e: LogEvent) {
        eventsProcessed += e.repeatCount
        let t = e.timestamp.microseconds
        let (clock, number, tick) = clocks.observe(host: e.host, at: t)
        clockNumber = number
        clockTimeline = tick.timeline
        if tick.rewound { book.closeAll(clock: clock) }
        book.begin(time: t, clock: clock)
        // The source's key, hashed once for the tables that key on it.
        let sourceKey = e.sourceIP.map(HashedName.init)
        let counts = windows.observe(e, source: sourceKey, displaced: displaced)

        if let key = sourceKey, counts.failureWeight > 0 || (e.invalidUser && e.outcome == .failure) {
            sourceFailure(e, source: key, weight: counts.failureWeight, unknownAccount: isUnknownAccount(e))
        }
        if counts.probe > 0, let s = e.sourceIP {
            probe(e, source: s)
        }
        if e.eventType == .login, e.outcome == .success, let u = e.user {
            successfulLogin(e, user: u, sourceKey: sourceKey)
        }
        if e.eventType == .sudo || e.eventType == .su, let u = e.user {
            privilege(e, user: u)
        }
        if FeatureExtractor.isDataKind(e.eventType), let u = e.user {
            dataAccess(e, user: u)
        }
        if let forest, FeatureExtractor.isScored(e) {
            outliers(e, forest: forest, counts: counts)
        }
        if tick.sweepDue { book.expire(clock: clock, now: clocks.now(clock)) }
        if book.openCount > limits.openIncidents { book.shed(limit: limits.openIncidents) { [clocks] in clocks.now($0) } }
        if failuresHeld > limits.failures { shedFailures() }
        if sources.count > limits.sources || users.count > limits.users || scans.count > limits.sources / 2 { collect() }
        let now = clocks.newest
        if lastSweep == .min { lastSweep = now } else if now - lastSweep > micros(60) { sweep() }
    }

    /// Whether closed incidents are kept to be returned by ``finish()``. A live view, which
    /// takes every change from ``drainChanges()``, turns this off so that weeks of incidents
    /// are not kept in memory.
    public var keepsClosedIncidents: Bool {
        get { book.keepsClosed }
        set { book.keepsClosed = newValue }
    }

    /// Where closed incidents go, instead of being kept for ``finish()`` (which then returns
    /// none): an analysis of a large log writes them out as they close (``AnomalySpool``).
    public var handsClosedIncidents: ((Anomaly) -> Void)? {
        get { book.handsClosed }
        set { book.handsClosed = newValue }
    }

    /// Whether changes are noted for ``drainChanges()`` and ``drainReports()``. Off by default:
    /// only a live view drains them, and it turns this on; noted and never drained, they would
    /// pile up until the detector is gone.
    public var reportsChanges: Bool {
        get { book.reportsChanges }
        set { book.reportsChanges = newValue }
    }

    /// Anomalies opened, updated or closed since the last call.
    public mutating func drainChanges() -> [Anomaly] { book.drainChanges() }

    /// Anomalies opened, updated or closed since the last call, each marked new the first time.
    public mutating func drainReports() -> [AnomalyReport] { book.drainReports() }

    /// Ends the input: closes every incident and returns all anomalies, oldest first.
    public mutating func finish() -> [Anomaly] {
        settle()
        book.closeAll()
        return book.closed.sorted { ($0.start, $0.id) < ($1.start, $1.id) }
    }

    /// Closes quiet incidents (every minute of log time) and, less often, forgets state nothing
    /// refers to any more (every ten minutes of log time with enough new events, or when the
    /// tables grow large), so the cost stays proportional to the input.
    mutating func sweep() {
        let now = clocks.newest
        lastSweep = now
        book.expire(now: { [clocks] in clocks.now($0) }, newest: now, lag: Detector.maxHostLag)
        if lastCollect == .min { lastCollect = now }
        let due = (now - lastCollect > micros(600) && eventsProcessed - eventsAtCollect > 20_000)
            || sources.count > limits.sources || users.count > limits.users || scans.count > limits.sources / 2
        if due { collect() }
    }

    /// Forgets sources and users nothing refers to any more and, over the limits, the weaker half.
    mutating func collect() {
        let pressed = sources.count > limits.sources || users.count > limits.users
        let now = clocks.newest
        lastCollect = now
        eventsAtCollect = eventsProcessed
        let keep = micros(max(config.slowWindow, config.sprayWindow, config.successAfterFailuresWindow))
        let shortKeep = micros(max(config.sprayWindow, config.bruteForceWindow, config.enumerationWindow, config.successAfterFailuresWindow))
        // In place: a second table of every source would double the peak. (Each state read
        // where it is: iterating the table's elements copied every state, retaining its arrays.)
        var stale: [HashedName] = []
        for j in sources.values.indices where sources.values[j].lastActivity < now - keep { stale.append(sources.keys[j]) }
        for s in stale { sources.removeValue(forKey: s) }
        // Each host's time looked up once, not once per source (a hash of the host's name each).
        let hostNow = clocks.names.indices.map { clocks.now(number: UInt32($0)) }
        var i = sources.startIndex
        while i != sources.endIndex {
            sources.withValue(at: i) { st in
                let n = Int(st.clock) < hostNow.count ? hostNow[Int(st.clock)] : clocks.newest
                st.letGoOfFailures(now: n, keep: shortKeep)
            }
            sources.formIndex(after: &i)
        }
        let userKeep = micros(max(config.takeoverWatch, config.privilegeWindow, config.bulkWindow, config.outlierWindow))
        users.removeAll(whereValue: { $0.lastActivity < now - userKeep })
        // A flood of addresses or names still within their windows: keep the half that matters
        // (the most failures; the most recent users), so memory has a bound whatever is sent.
        if sources.count > (pressed ? limits.sources / 2 : limits.sources) {
            // Those failing within the brute-force window first, the latest first: an attack
            // under way must not lose its start (one that has just begun has the fewest
            // failures of all). Then the most failures over the slow window, then the latest.
            // (Each part stays below the next one's unit, all below 2^53: the seconds are exact.)
            let live = now - micros(config.bruteForceWindow)
            sources.keepStrongest(limits.sources / 2) { s in
                let seconds = Double(s.lastActivity / 1_000_000)
                return s.lastActivity >= live ? 2e15 + seconds : min(s.hourly.total, 999) * 1e12 + seconds
            }
        }
        if users.count > (pressed ? limits.users / 2 : limits.users) {
            users.keepStrongest(limits.users / 2) { u in Double(u.lastActivity / 1_000_000) + (u.watch != nil ? 1e12 : 0) }
        }
        // Scans are remembered for a day (the context of a later incident).
        scans.removeAll(whereValue: { $0.last < now - Detector.scanContext })
        if scans.count > limits.sources / 2 {
            scans.keepStrongest(limits.sources / 4) { s in Double(s.last / 1_000_000) + (s.reported != nil ? 1e12 : 0) }
        }
        failuresHeld = failuresKept
    }

    /// Failures kept one by one, over every source (the rest are counted by the hour).
    var failuresKept: Int {
        var n = 0
        for i in sources.values.indices { n += sources.values[i].failureCount }
        return n
    }

    /// Lets go of the failures of the sources quiet longest, in their own host's time, down to
    /// three quarters of ``Limits/failures``. A source keeps its failures one by one for the
    /// rules' windows (an hour) and an hour more for a late line; a botnet of thousands of
    /// addresses at tens of lines a second leaves hundreds of thousands of them. The first let
    /// go are those kept only for a line that late; a source whose failures were let go keeps
    /// its hourly counts (a slow brute force is still seen) and starts its windows afresh if it
    /// fails again.
    mutating func shedFailures() {
        failuresHeld = failuresKept
        let target = limits.failures - limits.failures / 4
        guard failuresHeld > target else { return }
        var quiet: [(idle: Int64, index: Dictionary<HashedName, SourceState>.Index)] = []
        var i = sources.startIndex
        while i != sources.endIndex {
            let (n, newest, clock) = sources.withValue(at: i) { ($0.failures.count, $0.newestFailure, $0.clock) }
            if n > 0 { quiet.append((clocks.now(number: clock) - newest, i)) }
            sources.formIndex(after: &i)
        }
        // Quietest first; ties by address, so that every run lets go of the same ones.
        quiet.sort { $0.idle != $1.idle ? $0.idle > $1.idle : sources.keys[$0.index] < sources.keys[$1.index] }
        for q in quiet {
            if failuresHeld <= target { break }
            failuresHeld -= sources.withValue(at: q.index) { $0.failures.count }
            sources.values[q.index].letGoOfFailures()
        }
    }

    /// How many sources and users the detector keeps state for at most.
    struct Limits {
        var sources = boundedSourceKeys
        var users = boundedTableKeys
        /// Incidents open at once (see ``IncidentBook/shed(limit:now:)``): 2,048 hold about
        /// 3 MB; a server under no flood has tens open.
        var openIncidents = 2048
        /// Failures kept one by one over every source (see ``Detector/shedFailures()``):
        /// 65,536 hold about 4 MB.
        var failures = 65_536
    }

    /// How far behind the newest time a host's incidents may stay open (a host gone silent, or
    /// logging with a clock that far behind, has its quiet incidents closed against this).
    static let maxHostLag = micros(6 * 3600)

    /// Whether the event names an account that does not exist: sshd says so; for structured
    /// sources, which do not, an account the model never saw do anything is taken as one.
    func isUnknownAccount(_ e: LogEvent) -> Bool {
        if e.invalidUser { return true }
        guard e.program == nil, let m = model, let u = e.user else { return false }
        return m.users[u] == nil
    }

    /// The user's baseline, when the model has one.
    func baseline(_ user: String) -> UserBaseline? { model?.users[user] }

    /// What the model's baseline says about an event's user and source, as the isolation
    /// forest's features and the source rules read it. Kept for the last user and source: an
    /// attack's every line has the same, and looking the baseline up copies it (its seven
    /// tables) and hashes the names again.
    struct BaselineFacts {
        var user: String?
        var source: String?
        /// The user's baseline, as the features read it (nil: none).
        var baseline: UserFacts?
        /// See ``FeatureExtractor/sourceKnown(_:baseline:)``.
        var sourceKnown: Double

        /// The user has a baseline.
        var userKnown: Bool { baseline != nil }

        /// ``UserBaseline/hourShare(_:)`` (0 with no baseline), computed the same way.
        func hourShare(_ h: Int) -> Double {
            guard let b = baseline, b.events > 0 else { return 0 }
            return Double(b.hours[(h % 24 + 24) % 24]) / b.hourTotal
        }
    }

    /// The parts of a user's baseline that the features read, behind one reference: made once
    /// per user from the model and kept, so that events of many users in turn (a shuffled or
    /// merged log) do not copy the baseline's seven tables each time.
    final class UserFacts {
        let events: Int
        let hours: [Int]
        let hourTotal: Double
        let sources: [String: Int]
        let networks: [String: Int]

        init(_ b: UserBaseline) {
            events = b.events
            hours = b.hours
            hourTotal = Double(max(1, b.hours.reduce(0, +)))
            sources = b.sources
            networks = b.networks
        }

        /// ``FeatureExtractor/sourceKnown(_:baseline:)`` for an event from `source`.
        func sourceKnown(_ source: String) -> Double {
            sources[source] != nil ? 1 : (networks[networkPrefix(source)] != nil ? 0.5 : 0)
        }
    }

    /// The ``BaselineFacts`` of `e`'s user and source.
    mutating func baselineFacts(_ e: LogEvent) -> BaselineFacts {
        if let c = factsCache, c.user == e.user, c.source == e.sourceIP { return c }
        var facts: UserFacts?
        if let u = e.user {
            if let known = userFacts[u] {
                facts = known
            } else if let b = baseline(u) {
                // Users the model knows only: the table is bounded by the model, not the input.
                let made = UserFacts(b)
                userFacts[u] = made
                facts = made
            }
        }
        // As ``FeatureExtractor/sourceKnown(_:baseline:)``: no address is neutral; an address
        // with no baseline is unknown.
        let known: Double
        if let s = e.sourceIP { known = facts?.sourceKnown(s) ?? 0 } else { known = 1 }
        let result = BaselineFacts(user: e.user, source: e.sourceIP, baseline: facts, sourceKnown: known)
        factsCache = result
        return result
    }
}

/// What the detector remembers about one source.
struct SourceState {
    /// One failed login, as small as it can be kept (tens of thousands of sources keep a
    /// few each): 48 bytes, the file as a number and the line in one word with it, and the
    /// flags in the last word.
    struct Failure {
        var time: Int64
        var weight: Double
        var user: String?
        /// Where it was logged, for the evidence of an incident that opens later: the file's
        /// number in ``FileNumbers`` in the top 24 bits, the line in the low 40.
        private var place: UInt64
        /// Log events the line stands for (`message repeated N times`), at most `Int32.max`.
        private var storedEvents: Int32 = 1
        var invalid: Bool
        /// A typo: the same account logged in from the same source soon after.
        var forgiven = false

        var events: Int { Int(storedEvents) }
        /// The number of the file it was logged in (see ``FileNumbers/name(_:)``).
        var fileNumber: UInt32 { UInt32(truncatingIfNeeded: place >> 40) }
        /// The line it was logged on (lines past 2^40, a hundred terabytes in, as that).
        var line: Int { Int(place & Failure.lineMask) }
        static let lineMask: UInt64 = (1 << 40) - 1

        init(time: Int64, user: String?, invalid: Bool, weight: Double, fileNumber: UInt32 = 0, line: Int = 0, events: Int = 1) {
            self.time = time
            self.weight = weight
            self.user = user
            self.place = UInt64(fileNumber & 0xFF_FFFF) << 40 | min(UInt64(clamping: line), Failure.lineMask)
            self.storedEvents = Int32(clamping: events)
            self.invalid = invalid
        }
    }

    /// Failures within the longest short window, oldest first (capped): `store[head...]`. The
    /// oldest leave by moving `head`, so a source hammering at the cap costs the same per line.
    private var store: [Failure] = []
    /// ``head``, in 16 bits beside ``clock`` and ``timeline`` (the store holds at most
    /// ``cap`` failures past it, and it is moved back to 0 once it is over 64 and half the
    /// store): a table of tens of thousands of sources is as large as one source's state times
    /// its slots, and these three share one word.
    private var storedHead: Int16 = 0
    /// The low 16 bits of the clock's timeline when the newest failure came
    /// (``HostClocks/Tick/timeline``; two timeline numbers 65,536 apart look alike, and
    /// a failure after exactly that many rewinds of its host keeps the source's failures, as
    /// one on the same timeline would).
    private var timeline: UInt16 = 0
    /// The clock (host) of the newest failure, against which the failures are let go: its
    /// number in ``HostClocks``.
    var clock: UInt32 = 0
    private var head: Int {
        get { Int(storedHead) }
        set { storedHead = Int16(newValue) }
    }
    var failures: ArraySlice<Failure> { store[head...] }
    /// ``failures``' count, without making the slice.
    var failureCount: Int { store.count - head }
    /// How many failures the store has room for (see ``grown(_:)``).
    var failureRoom: Int { store.capacity }
    /// Weighted failures by the hour, within the slow window.
    var hourly = HourlyTally()
    var lastActivity: Int64 = .min
    static let cap = 4000

    /// How late a failure may arrive and still take its own place among the others (lines of
    /// several hosts interleaved in one stream are seconds apart); a later one is counted as if
    /// it happened that long before the newest, so no order of input costs more than this much
    /// sorting per line.
    static let disorder = micros(10)

    /// Adds a failure, keeping the failures in time order within `keep` and the hourly counts
    /// within `slowKeep`, and returns its index in ``failures``. A failure older than the newest
    /// by more than a window starts that window over (another timeline: a second file, a
    /// replayed log); one slightly out of order lands in its place (see ``disorder``).
    ///
    /// A failure earlier than the source's newest, on a later `timeline` of the same `clock` (its
    /// host's time went back: the same log read again, a replayed day), starts everything over,
    /// failures and hours: what the source did on the timeline that ended is not part of this
    /// one. Kept, a log read twice counted each failure twice, and every replayed failure was
    /// squeezed in after the last (``disorder``) until the store held ``cap`` of them, each
    /// looked through on every line. A failure later than the source's newest carries on, even
    /// when the host went back in between: one line stamped hours back (a late relay, or one
    /// sent on purpose to a syslog server that keeps senders' timestamps) must not wipe the
    /// windows of an attack under way.
    @discardableResult
    ///
    /// A `displaced` failure (its time was hours from its host's clock, see ``TimeJumpGuard``)
    /// counts no earlier than the source's newest and starts nothing over.
    mutating func add(_ failure: consuming Failure, keep: Int64, slowKeep: Int64, clock: UInt32 = 0, timeline: UInt32 = 0,
                      displaced: Bool = false) -> Int {
        // Moved in, not copied (a copy retains and releases its strings); what is needed of it
        // once it is stored is read first.
        var f = failure
        if displaced, lastActivity != .min, f.time < lastActivity { f.time = lastActivity }
        let time = f.time, weight = f.weight
        let replayed = !displaced && clock == self.clock && UInt16(truncatingIfNeeded: timeline) != self.timeline && f.time < lastActivity
        self.clock = clock
        self.timeline = UInt16(truncatingIfNeeded: timeline)
        if lastActivity != .min, replayed || f.time < lastActivity - slowKeep {
            // A new timeline: nothing ahead of it belongs with it.
            store.removeAll(keepingCapacity: true)
            head = 0
            hourly.removeAll()
            lastActivity = f.time
        } else if head < store.count, f.time < store[store.count - 1].time - keep {
            store.removeAll(keepingCapacity: true)
            head = 0
        }
        var at = store.count
        if store.count == store.capacity { store.reserveCapacity(SourceState.grown(store.count)) }
        if head < store.count, f.time < store[store.count - 1].time {
            f.time = max(f.time, store[store.count - 1].time - SourceState.disorder)
            while at > head, store[at - 1].time > f.time { at -= 1 }
            store.insert(f, at: at)
        } else {
            store.append(f)
        }
        lastActivity = max(lastActivity, time)
        let cutoff = store[store.count - 1].time - keep
        while head < store.count, store.count - head > SourceState.cap || store[head].time < cutoff { head += 1 }
        if head > 64, head * 2 > store.count {
            store.removeFirst(head)
            at -= head
            head = 0
        }
        hourly.add(weight, at: time)
        if hourly.count > 30 { hourly.removeHours(before: lastActivity - slowKeep) }
        return at
    }

    /// The room for failures after `count`: half as much again (an array's own growth doubles
    /// it, and tens of thousands of sources with ten failures each would keep room for sixteen).
    static func grown(_ count: Int) -> Int { count + (count + 1) / 2 }

    /// The time of the failure at index `i` of ``failures`` (whose indices are the store's),
    /// read in place: a copy retains its strings.
    func failureTime(_ i: Int) -> Int64 { store[i].time }

    /// Whether `i` is an index of ``failures`` (asked without making the slice).
    func holdsFailure(_ i: Int) -> Bool { i >= head && i < store.count }

    /// The failures since `since` not forgiven, counted and weighed from the newest back, in
    /// place (no failure, and none of its strings, copied).
    func firstLook(since: Int64) -> (entries: Int, weight: Double) {
        var entries = 0, weight = 0.0
        var i = store.count - 1
        while i >= head {
            if store[i].time < since { break }
            if !store[i].forgiven {
                entries += 1
                weight += store[i].weight
            }
            i -= 1
        }
        return (entries, weight)
    }

    /// Lets the failures go when even a line as late as a host's clock allows (``HostClocks/rewindSpan``)
    /// could no longer have them in a window of `keep`: ``add(_:keep:slowKeep:clock:)`` would drop them
    /// on the next failure anyway, and a source that never fails again would keep them for the
    /// whole slow window (an attack from 60,000 addresses: tens of megabytes).
    mutating func letGoOfFailures(now: Int64, keep: Int64) {
        guard head < store.count, store[store.count - 1].time < now - keep - HostClocks.rewindSpan else { return }
        letGoOfFailures()
    }

    /// Lets every failure go (``Detector/shedFailures()``).
    mutating func letGoOfFailures() {
        store = []
        head = 0
    }

    /// The time of the newest failure kept (`.min`: none).
    var newestFailure: Int64 { head < store.count ? store[store.count - 1].time : .min }

    /// Failures counted (not forgiven as typos) since `since`, by the hour.
    func recentFailures(since: Int64) -> Double {
        let from = since / 3_600_000_000
        return hourly.total(fromHour: from)
    }

    /// Takes `user`'s failures since `since` out of the counts: they were typos, the user got in.
    /// (Only the account that logged in: an attacker's failures on other accounts stay.)
    mutating func forgive(user: String, since: Int64) {
        var i = store.count - 1
        while i >= head, store[i].time >= since {
            if !store[i].forgiven, store[i].user == user {
                store[i].forgiven = true
                hourly.subtract(store[i].weight, at: store[i].time)
            }
            i -= 1
        }
    }
}

/// What the detector remembers about one user.
struct UserState {
    struct Signal {
        var time: Int64
        var points: Double
        var what: String
        var kind: String
    }

    /// A suspicious login being watched for follow-up activity.
    struct Watch {
        var start: Int64
        var points: Double
        var reasons: [String]
        var source: String?
        var host: String?
        /// The incident follow-ups are added to, once there is one.
        var incidentKey: String?
        var kind: AnomalyKind
        var followUps: [String] = []
    }

    var privilege: [Signal] = []
    /// The most privilege signals kept (the newest).
    static let maxSignals = 256
    var watch: Watch?
    var dataCounts: [String: SlidingCounts] = [:]
    var outliers = SlidingCounts()
    /// Scored events of the user within the outlier window, for the outlier rate.
    var scored = SlidingCounts()
    var firstSudoFlagged = false
    var lastActivity: Int64 = .min

    /// An event of the user the forest scored (one table access for both changes).
    mutating func noteScored(at t: Int64, window: Int64) {
        scored.add(t, window: window)
        lastActivity = t
    }
}

/// The files failures were read from, by number: a failure keeps its file's number, with its
/// line in one word (see ``SourceState/Failure``), not the name (16 bytes more in each of the
/// failures tens of thousands of sources keep). Its names are those of the files, journals and
/// streams read, so it stays as small as they are few.
struct FileNumbers {
    /// Names by number; 0 is no file.
    private var names: [String?] = [nil]
    private var numbers: [String: UInt32] = [:]
    /// The file last numbered: an analysis reads one file at a time, or a few interleaved.
    private var last: (name: String, number: UInt32)?
    /// Numbers fit in 24 bits. (Past that many files, which no one process reads, a file is
    /// numbered 0 and its failures' evidence names none.)
    static let most = (1 << 24) - 1

    /// The number of `name` (0 for none), numbering it when it is new.
    mutating func number(_ name: String?) -> UInt32 {
        guard let name else { return 0 }
        if let l = last, l.name == name { return l.number }
        if let n = numbers[name] {
            last = (name, n)
            return n
        }
        guard names.count <= FileNumbers.most else { return 0 }
        let n = UInt32(names.count)
        names.append(name)
        numbers[name] = n
        last = (name, n)
        return n
    }

    /// The file numbered `number` (nil: none).
    func name(_ number: UInt32) -> String? { Int(number) < names.count ? names[Int(number)] : nil }
}
