import Foundation
import Testing
@testable import TriplineCore
import TriplineTestSupport

/// `model.json` is written without `JSONEncoder` (whose tree of every value was the peak of a
/// training run): the text is the one `JSONEncoder` with sorted keys writes, and names that
/// could drive a terminal are escaped, which any JSON reader reads back the same.
@Suite struct ModelWriterTests {
    static func encoder() -> JSONEncoder {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        return enc
    }

    /// A model with every part filled in, names that sort differently by bytes, by UTF-16 and
    /// by case, networks with `/`, and numbers of every shape `JSONEncoder` writes its own way.
    static func model() throws -> TriplineModel {
        var m = try HostileModelTests.trained()
        let numbers: [Double] = [0.1, 1e-05, 1e16, 1e15, 3, -0.0, 2.5e-300, 0.30000000000000004, 123456789012345678, 4503599627370496]
        m.users["bob"] = UserBaseline(events: 3, hours: Array(repeating: 1, count: 24), weekendEvents: 1, sources: ["::1": 2, "10.0.0.10": 1, "10.0.0.9": 4],
                                      networks: ["a.example": 1, "10.0.0.0/16": 7], hosts: ["db": 3, "DB": 1], methods: ["password": 1],
                                      eventTypes: ["sudo": 2], sudoCount: 2, failures: 1,
                                      hourlyVolume: Dictionary(uniqueKeysWithValues: numbers.enumerated().map { ("k\($0.offset)", HourlyVolume(p95: $0.element, max: $0.element * 2)) }),
                                      activeDays: 1, isServiceAccount: true)
        for name in ["é", "😀", "ﬀ", "\u{FFFF}", "Zed", "_x", "a b", "a10", "a2", "ß", "ss"] { m.users[name] = m.users["alice"] }
        m.sources["2001:db8::/32"] = SourceBaseline(events: 5, failures: 4, users: ["root": 4, "Root": 1])
        m.hosts["web/2"] = HostBaseline(events: 2, hours: Array(repeating: 0, count: 24), users: ["bob": 2])
        m.networks = ["10.0.0.0/16": 3, "2001:db8::/48": 1]
        m.globalVolume["sudo"] = HourlyVolume(p95: 0.5, max: 1e300)
        m.training.excluded = TrainingInfo.Excluded(events: 4, incidents: 1, byKind: ["brute_force": 1])
        m.training.files = ["/var/log/auth.log", "/var/log/secure"]
        m.config.baselineDays = 2.5
        m.forest?.trees[0].threshold[0] = 0.1 + 0.2
        return m
    }

    @Test func modelWriterWritesWhatJSONEncoderWrites() throws {
        let m = try Self.model()
        let written = try ModelWriter.bytes(m)
        let encoded = [UInt8](try Self.encoder().encode(m))
        #expect(written.count > 1000)
        if written != encoded {
            let at = (0..<min(written.count, encoded.count)).first { written[$0] != encoded[$0] } ?? min(written.count, encoded.count)
            Issue.record("differs at byte \(at): \(String(decoding: written[max(0, at - 80)..<min(written.count, at + 80)], as: UTF8.self))")
        }
        // Without a forest the member is left out, as JSONEncoder leaves out a nil.
        var bare = m
        bare.forest = nil
        #expect(try ModelWriter.bytes(bare) == [UInt8](try Self.encoder().encode(bare)))
        // And what is saved loads as the model.
        let dir = TestFolders.path("model-writer")
        try m.save(to: dir)
        let back = try TriplineModel.load(from: dir)
        #expect(back.users == m.users && back.sources == m.sources && back.hosts == m.hosts && back.networks == m.networks)
        #expect(back.forest?.trees[0].threshold == m.forest?.trees[0].threshold)
        #expect(back.globalVolume == m.globalVolume && back.training == m.training && back.config == m.config && back.createdAt == m.createdAt)
    }

    /// Names from the logs are the attacker's: a user or host named with terminal escapes,
    /// bidirectional overrides or line separators is written escaped (`cat model.json` shows
    /// text, not what the attacker wanted shown), and reads back as the same name.
    @Test func hostileNamesAreEscapedAndReadBackTheSame() throws {
        var m = try Self.model()
        let names = ["\u{1B}[2J\u{1B}]0;pwned\u{07}", "admin\u{202E}txt.exe", "line\u{2028}break", "c1\u{9B}31m", "quote\"back\\slash", "nul\u{0}"]
        for n in names {
            m.users[n] = m.users["alice"]
            m.sources[n] = SourceBaseline(events: 1, failures: 1, users: [n: 1])
        }
        let written = try ModelWriter.bytes(m)
        for raw: [UInt8] in [[0x1B], [0x07], [0x00], [0xE2, 0x80, 0xAE], [0xE2, 0x80, 0xA8], [0xC2, 0x9B]] {
            #expect(!written.indices.contains { written[$0...].starts(with: raw) }, "raw \(raw) in the file")
        }
        let viaDecoder = try JSONDecoder().decode(TriplineModel.self, from: Data(written))
        #expect(viaDecoder.users == m.users && viaDecoder.sources == m.sources)
        let dir = TestFolders.path("model-writer-hostile")
        try m.save(to: dir)
        let back = try TriplineModel.load(from: dir)
        #expect(back.users == m.users && back.sources == m.sources)
    }

    /// A number JSON cannot hold fails the save, naming where it is, and leaves the model that
    /// was there.
    @Test func aNumberJSONCannotHoldFailsTheSaveAndKeepsTheOldModel() throws {
        let good = try Self.model()
        let dir = TestFolders.path("model-writer-nan")
        try good.save(to: dir)
        let before = try Data(contentsOf: URL(fileURLWithPath: TriplineModel.path(in: dir)))
        var bad = good
        bad.users["bob"]?.hourlyVolume["k0"] = HourlyVolume(p95: .nan, max: 1)
        do {
            try bad.save(to: dir)
            Issue.record("saved a NaN")
        } catch {
            #expect(error.description.contains("hourlyVolume") && error.description.contains("not a finite number"), "\(error)")
        }
        var infinite = good
        infinite.forest?.offset = -.infinity
        #expect(throws: ModelError.self) { try infinite.save(to: dir) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: TriplineModel.path(in: dir))) == before)
    }
}
