/// How many keys the detector's tables that an attacker can fill (addresses, account names)
/// hold before they are cut back to half: 3/4 of 131,072 slots, the load at which a Swift
/// dictionary doubles its slots, less the one key inserted before the count is checked. At
/// 100,000 the table of sources doubled to 262,144 slots (21 MB, and 31 MB while it copied)
/// to hold 1,700 keys more.
let boundedTableKeys = 98_303

/// The same fit for the table of sources, at 65,536 slots: 49,151 sources. Each holds its
/// failures' place, hourly counts and key in 72 bytes, so 131,072 slots took 9.4 MB, and
/// 14 MB while the table doubled to them, of an analysis that must stay under 64 MB whatever
/// a botnet sends. Under a flood the weaker half goes (fewest failures within the slow window,
/// then the quietest), as before: the sources that matter are kept at either size.
let boundedSourceKeys = 49_151

extension Dictionary {
    /// Removes the entries `shouldRemove` picks: in place when most stay (a filtered copy of a
    /// table of 100,000 sources would hold both at once), into a fresh table when most go (so
    /// that a table a flood filled gives its room back once the flood is over).
    mutating func removeAll(where shouldRemove: (Element) -> Bool) {
        var doomed: [Key] = []
        for entry in self where shouldRemove(entry) { doomed.append(entry.key) }
        remove(doomed) { !shouldRemove($0) }
    }

    /// ``removeAll(where:)`` for a choice made on the value alone, each value read where it is:
    /// going through the entries copied every one (a source's windows, a user's state), retaining
    /// and releasing its arrays, on every sweep of tables of tens of thousands.
    mutating func removeAll(whereValue shouldRemove: (Value) -> Bool) {
        var doomed: [Key] = []
        for i in values.indices where shouldRemove(values[i]) { doomed.append(keys[i]) }
        remove(doomed) { !shouldRemove($0.value) }
    }

    /// Removes the `doomed` keys: one by one when most entries stay, else by keeping what `keeps`
    /// picks in a fresh table (see ``removeAll(where:)``).
    private mutating func remove(_ doomed: [Key], keeping keeps: (Element) -> Bool) {
        guard !doomed.isEmpty else { return }
        if doomed.count * 2 > count {
            self = filter(keeps)
        } else {
            for k in doomed { removeValue(forKey: k) }
        }
    }
}

extension Dictionary where Key: Comparable {
    /// Keeps the `count` entries with the highest `score`, for tables an attacker can fill with
    /// keys of their choosing (addresses, account names): over their limit they keep what
    /// matters most and drop the rest, in expected O(n) once per halving (the cut-off score is
    /// selected, not sorted for: ``kthLargest(_:_:maxRounds:)``), so amortised O(1) a key. In
    /// place (a second table would double the peak), and ties at the cut go to the smallest
    /// keys (selected too), so what is kept does not depend on the table's hash seed.
    mutating func keepStrongest(_ count: Int, by score: (Value) -> Double) {
        guard self.count > count else { return }
        guard count > 0 else { removeAll(keepingCapacity: true); return }
        // (No NaN: it would have no place in the order. Each value read where it is: mapping
        // `values` copied every one, retaining its arrays.)
        func scored(_ i: Index) -> Double {
            let s = score(values[i])
            return s.isNaN ? -.infinity : s
        }
        var scores: [Double] = []
        scores.reserveCapacity(self.count)
        for i in indices { scores.append(scored(i)) }
        let cut = kthLargest(&scores, count)
        let room = count - scores.reduce(0) { $0 + ($1 > cut ? 1 : 0) }
        scores = []
        var doomed: [Key] = [], tied: [Key] = []
        for i in indices {
            let s = scored(i)
            if s < cut { doomed.append(keys[i]) } else if s == cut { tied.append(keys[i]) }
        }
        // The `room` smallest of the tied keys stay: selected, which leaves them first (a flood
        // of names that each failed once ties them all, and sorting them was a fifth of its
        // analysis). Keys are distinct, so the rest are all larger.
        if room < tied.count {
            if room > 0 { _ = nthSmallest(&tied, room - 1, by: <) }
            doomed.append(contentsOf: tied[room...])
        }
        tied = []
        for k in doomed { removeValue(forKey: k) }
    }
}

extension Dictionary {
    /// Where `key` is, inserting `make()` under it first when it is absent: one hash for a key
    /// already there (the common case of a table of sources), so that the caller can then work
    /// on the value in place through `values[index]`.
    mutating func index(forKey key: Key, insertingIfAbsent make: () -> Value) -> Index {
        if let i = index(forKey: key) { return i }
        self[key] = make()
        guard let i = index(forKey: key) else { preconditionFailure("a key just inserted is in the table") }
        return i
    }

    /// Works on the value at `i` in place, through `values`' modify accessor: reading
    /// `values[i]` would copy the value (retaining each of its arrays and strings), which the
    /// detector's per-line state cannot afford.
    @inline(__always)
    mutating func withValue<T>(at i: Index, _ body: (inout Value) -> T) -> T {
        body(&values[i])
    }
}
