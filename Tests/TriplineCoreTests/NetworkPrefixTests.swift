import Testing
@testable import TriplineCore

/// The network of an address, built without splitting strings on the hot path, is what the
/// split-and-join definition gives, for real addresses and for what an attacker can write.
@Suite struct NetworkPrefixTests {
    static func reference(_ address: String) -> String {
        var dots = 0, colons = 0, letters = false
        for c in address.utf8 {
            if c == 0x2E { dots += 1 } else if c == 0x3A { colons += 1 } else if (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A { letters = true }
        }
        if colons >= 2 { return address.split(separator: ":", omittingEmptySubsequences: false).prefix(3).joined(separator: ":") + "::/48" }
        if dots == 3, !letters { return address.split(separator: ".").prefix(2).joined(separator: ".") + ".0.0/16" }
        if let dot = address.firstIndex(of: "."), letters { return String(address[address.index(after: dot)...]) }
        return address
    }

    @Test(arguments: ["203.0.113.7", "10.20.14.243", "255.255.255.255", "1.2.3.4", "1..2.3", ".1.2.3", "1.2.3.", "...",
                      "12.\u{301}3.4.5", "1\u{301}.2.3.4", "٣.٤.5.6", "2001:db8::1", "mail.example.com", "host", "1.2.3.4.5", ""])
    func fastPathAgreesWithTheDefinition(_ address: String) {
        #expect(networkPrefix(address) == Self.reference(address))
    }

    /// Random strings of the characters the paths branch on: digits, dots, colons, letters of
    /// both cases, a combining accent and a non-ASCII digit.
    @Test func randomAddressesAgreeWithTheDefinition() {
        let alphabet: [String] = ["1", "0", "9", ".", ".", ".", ":", "a", "Z", "\u{301}", "٣", "/", " "]
        var rng = SplitMix64(seed: 7)
        for _ in 0..<20_000 {
            var s = ""
            for _ in 0..<Int(rng.next() % 18) { s += alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            #expect(networkPrefix(s) == Self.reference(s), "\(s.debugDescription)")
        }
    }

    @Test func anIPv4NetworkIsIts16() {
        #expect(networkPrefix("203.0.113.7") == "203.0.0.0/16")
    }
}
