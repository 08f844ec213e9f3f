extension Dictionary {
    /// The `count` entries with the highest `score` (ties: any), for tables an attacker can fill
    /// with keys of their choosing (addresses, account names): over their limit they keep what
    /// matters most and drop the rest, in O(n log n) once per halving, so amortised O(log n) a key.
    func strongest(_ count: Int, by score: (Value) -> Double) -> [Key: Value] {
        guard self.count > count else { return self }
        let kept = self.map { ($0.key, score($0.value)) }.sorted { $0.1 > $1.1 }.prefix(count)
        var out: [Key: Value] = [:]
        out.reserveCapacity(count)
        for (k, _) in kept { out[k] = self[k] }
        return out
    }

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
