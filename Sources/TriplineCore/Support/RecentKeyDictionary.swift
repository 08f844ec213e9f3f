/// A dictionary that remembers where its last key is, so that asking for the same key again
/// compares it with that one instead of hashing it: nine lines in ten of a real sshd log that
/// name an address name the one of the line before (an attack is a burst), and hashing a
/// name costs a seeded SipHash.
///
/// The place stays good while the table keeps its shape: changing a value in place keeps it,
/// and everything here that inserts or removes forgets it. The table is read-only outside,
/// so nothing else can change its shape under the remembered place.
struct RecentKeyDictionary<Key: Hashable, Value> {
    typealias Index = Dictionary<Key, Value>.Index

    /// The entries (changed only through the methods here).
    private(set) var table: [Key: Value] = [:]
    private var last: (key: Key, index: Index)?

    var count: Int { table.count }

    /// Where `key` is, or nil.
    mutating func index(forKey key: Key) -> Index? {
        if let l = last, l.key == key { return l.index }
        guard let i = table.index(forKey: key) else { return nil }
        last = (key, i)
        return i
    }

    /// Where `key` is, inserting `make()` under it first when it is absent.
    mutating func index(forKey key: Key, insertingIfAbsent make: () -> Value) -> Index {
        if let i = index(forKey: key) { return i }
        let i = table.index(forKey: key, insertingIfAbsent: make)
        last = (key, i)
        return i
    }

    /// Works on the value at `i` in place (its place, and the one remembered, stay good).
    @inline(__always)
    mutating func withValue<T>(at i: Index, _ body: (inout Value) -> T) -> T {
        body(&table.values[i])
    }

    /// Removes the entry at `i`.
    mutating func remove(at i: Index) {
        last = nil
        table.remove(at: i)
    }

    /// Removes the entries whose value `shouldRemove` picks (see `Dictionary.removeAll(whereValue:)`).
    mutating func removeAll(whereValue shouldRemove: (Value) -> Bool) {
        last = nil
        table.removeAll(whereValue: shouldRemove)
    }
}

extension RecentKeyDictionary where Key: Comparable {
    /// Keeps the `count` entries with the highest `score` (see `Dictionary.keepStrongest`).
    mutating func keepStrongest(_ count: Int, by score: (Value) -> Double) {
        last = nil
        table.keepStrongest(count, by: score)
    }
}
