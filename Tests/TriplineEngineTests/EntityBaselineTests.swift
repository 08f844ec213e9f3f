import Foundation
import Testing
@testable import TriplineEngine
@testable import TriplineCore

/// The drill-down's baseline travels as data and is worded by the face that shows it.
@Suite struct EntityBaselineTests {
    @Test func wordsAUsersBaselineBusiestFirst() {
        var b = UserBaseline()
        b.hours[9] = 4; b.hours[17] = 1
        b.sources = ["10.0.0.5": 3, "10.0.0.9": 12]
        b.hosts = ["web1": 15]
        b.methods = ["password": 2, "publickey": 13]
        b.sudoCount = 4; b.activeDays = 6
        let lines = EntityBaseline.user(b).lines(noModel: "none")
        #expect(lines == [
            "usual hours (UTC): 09 17",
            "sources: 10.0.0.9 (12), 10.0.0.5 (3)",
            "hosts: web1 (15)",
            "login methods: publickey 13, password 2",
            "sudo commands: 4; days active: 6",
        ])
    }

    @Test func saysWhatIsMissing() {
        #expect(EntityBaseline(kind: .user, name: "alice", model: nil) == .noModel)
        #expect(EntityBaseline.noModel.lines(noModel: "press R") == ["press R"])
        #expect(EntityBaseline.notSeen.lines(noModel: "press R") == ["not seen in training"])
        var s = SourceBaseline(); s.events = 7; s.failures = 2; s.users = ["bob": 5, "amy": 5, "root": 1]
        #expect(EntityBaseline.source(s).lines(noModel: "") == ["seen in training: 7 events, 2 failures", "users: amy, bob, root"])
    }
}
