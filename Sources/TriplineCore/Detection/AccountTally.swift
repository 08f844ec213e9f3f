/// The accounts one source tried during an incident, kept in bounded memory and updated in
/// constant time per failure, whatever the attacker sends: a flood of random names from one
/// address must not make each new line cost more than the last.
///
/// The first ``nameLimit`` names are kept with their attempts (exact counts, top names, the
/// share that do not exist); names beyond are counted by a ``DistinctEstimate`` only, so the
/// totals stay close (within a few percent) while memory stays flat.
struct AccountTally {
    /// Names kept one by one; past it, new names are only counted.
    static let nameLimit = 1024
    /// How many of the most tried names are kept in order (reasons show 5, details 20).
    static let topLimit = 20

    /// Attempts per kept name.
    private(set) var attempts: [String: Double] = [:]
    /// Kept names that do not exist on the host.
    private(set) var invalid = Set<String>()
    /// The most tried kept names, most first (ties by name).
    private(set) var top: [(name: String, attempts: Double)] = []
    /// All attempts, kept names or not.
    private(set) var totalAttempts = 0.0
    /// Whether `root` was tried.
    private(set) var triedRoot = false
    /// Whether a name past ``nameLimit`` that exists was tried.
    private var overflowValid = false
    private var overflow = DistinctEstimate()
    private var overflowInvalid = DistinctEstimate()
    /// Attempts on names past ``nameLimit``, and how many of them named no account: the
    /// estimates never exceed them.
    private var overflowSeen = 0
    private var overflowInvalidSeen = 0

    /// Whether the counts of names are estimates (more than ``nameLimit`` were tried).
    var isEstimate: Bool { overflowSeen > 0 }
    /// Distinct names tried (estimated past ``nameLimit``).
    var distinct: Int { attempts.count + min(overflow.count, overflowSeen) }
    /// Distinct names tried that do not exist (estimated past ``nameLimit``).
    var invalidCount: Int { invalid.count + min(overflowInvalid.count, overflowInvalidSeen, overflow.count) }

    /// Whether a name that exists was tried (one ever logged as not existing counts as such).
    var triedValid: Bool { attempts.count > invalid.count || overflowValid }

    /// Counts `weight` attempts on `name`.
    mutating func add(_ name: String, weight: Double, invalid isInvalid: Bool) {
        totalAttempts += weight
        if name == "root" { triedRoot = true }
        if let i = attempts.index(forKey: name) {
            // Changed where it is (one hash of the name, not two).
            attempts.values[i] += weight
            if isInvalid { invalid.insert(name) }
            raise(name, to: attempts.values[i])
        } else if attempts.count < AccountTally.nameLimit {
            attempts[name] = weight
            if isInvalid { invalid.insert(name) }
            raise(name, to: weight)
        } else {
            overflow.insert(name)
            overflowSeen += 1
            if isInvalid {
                overflowInvalid.insert(name)
                overflowInvalidSeen += 1
            } else {
                overflowValid = true
            }
        }
    }

    /// Keeps ``top`` right after `name`'s count rose to `value`. Counts only ever rise, so a name
    /// outside the list can only enter it, never be overtaken by one already below it.
    private mutating func raise(_ name: String, to value: Double) {
        func above(_ a: (name: String, attempts: Double), _ b: (name: String, attempts: Double)) -> Bool {
            a.attempts != b.attempts ? a.attempts > b.attempts : a.name < b.name
        }
        let entry = (name: name, attempts: value)
        var i: Int
        if let at = top.firstIndex(where: { $0.name == name }) {
            top[at] = entry
            i = at
        } else if top.count < AccountTally.topLimit {
            top.append(entry)
            i = top.count - 1
        } else if let last = top.last, above(entry, last) {
            top[top.count - 1] = entry
            i = top.count - 1
        } else {
            return
        }
        while i > 0, above(top[i], top[i - 1]) {
            top.swapAt(i, i - 1)
            i -= 1
        }
    }
}
