/// A name (an address, mostly) that carries its own hash, as the key of the detector's tables
/// that an attacker fills with names of their choosing.
///
/// `String` hashes itself with a seeded SipHash each time a table asks, and a table asks often
/// besides the lookup: once for each entry that moves up when one is removed (Swift's tables
/// close the gap, and at three quarters full the entries after a removed one run several
/// deep), once for every entry when the table grows, and again after an insertion to find where
/// it went. A botnet that sends each address once pays all of them for every line. Here the
/// SipHash is taken once, when the name is made into a key (once per line, shared by the tables
/// that key on it), and a table's hash is that mixed with the table's seed by splitmix64's
/// finaliser (``_rawHashValue(seed:)``, which `Dictionary` calls).
///
/// An attacker cannot aim names at one bucket: the hash they would need is `String`'s, seeded
/// per process. Keys compare by name (``<``), so what a full table keeps does not depend on
/// the seed.
struct HashedName: Hashable, Comparable {
    let name: String
    /// `name.hashValue`: equal names have equal ones.
    let nameHash: Int

    init(_ name: String) {
        self.name = name
        self.nameHash = name.hashValue
    }

    /// The hashes first: they tell keys apart without reading the names.
    static func == (a: HashedName, b: HashedName) -> Bool { a.nameHash == b.nameHash && a.name == b.name }

    static func < (a: HashedName, b: HashedName) -> Bool { a.name < b.name }

    func hash(into hasher: inout Hasher) { hasher.combine(nameHash) }

    /// The name's hash mixed with the table's seed.
    func _rawHashValue(seed: Int) -> Int { seededMix(nameHash, seed: seed) }
}

/// A hash taken once (a SipHash, seeded per process) mixed with a table's seed by splitmix64's
/// finaliser: what keys that carry their hash (``HashedName``, `DetectionWindows.UserKind`,
/// `SSHSessionTracker.Key`) give a table for theirs.
@inline(__always)
func seededMix(_ hash: Int, seed: Int) -> Int {
    var z = UInt64(bitPattern: Int64(hash)) ^ (UInt64(bitPattern: Int64(seed)) &* 0x9E37_79B9_7F4A_7C15)
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return Int(Int64(bitPattern: z ^ (z >> 31)))
}
