import Foundation
import Testing
@testable import TriplineCore

/// Training on a history that holds attacks: their events are left out, so the model does not
/// learn that an attacker's address is a user's usual source, and the same attacks are still
/// found in that history afterwards.
@Suite struct TrainingExclusionTests {
    typealias D = DetectorTests

    /// Eight ordinary days, with a brute force on day 5 and, on day 6, a login to alice at
    /// night from an address nobody uses, with a shell through sudo.
    static func history() -> [LogEvent] {
        var events = D.baselineEvents(days: 8)
        for i in 0..<30 { events.append(D.login(D.at(5, 10, 0, Double(i) * 4), "root", "203.0.113.66", ok: false)) }
        events.append(D.login(D.at(6, 3, 10), "alice", "198.18.7.7", ok: true, host: "db-01"))
        events.append(D.sudo(D.at(6, 3, 12), "alice", ok: true, command: "/bin/bash"))
        events.append(LogEvent(timestamp: D.at(6, 3, 40), host: "db-01", program: "sshd", pid: 77, user: "alice", sourceIP: "198.18.7.7",
                               eventType: .logout, outcome: .success, action: "disconnected", message: "Disconnected", file: "t.log", line: 9))
        return events.sorted { $0.timestamp < $1.timestamp }
    }

    static func train(_ events: [LogEvent], exclude: Bool) throws -> TriplineModel {
        let text = events.map { e -> String in var w = JSONWriter(); e.writeJSON(to: &w); return String(decoding: w.bytes, as: UTF8.self) }.joined(separator: "\n")
        let path = try temporaryFile(text, name: "history.ndjson")
        var trainer = Trainer()
        trainer.excludeIncidents = exclude
        return trainer.train(paths: [path], reader: LogReader(options: ParseOptions(timeZone: TimeZone(identifier: "UTC")!))).0
    }

    @Test func attacksInTheHistoryAreLeftOutAndStillFound() throws {
        let events = Self.history()
        let kept = try Self.train(events, exclude: false)
        let model = try Self.train(events, exclude: true)
        // Learnt as normal when kept: the attacker's address is one of alice's.
        #expect(kept.users["alice"]?.sources["198.18.7.7"] != nil)
        #expect(kept.training.excluded == nil)
        // Left out: the brute force (rules) and the takeover (a model trained on the other half).
        #expect(model.users["alice"]?.sources["198.18.7.7"] == nil)
        #expect(model.sources["203.0.113.66"] == nil)
        let x = try #require(model.training.excluded)
        #expect(x.byKind["brute_force"] == 1 && x.byKind["account_takeover"] == 1, "\(x)")
        #expect(x.events >= 33, "\(x)")
        #expect(x.summary.hasPrefix("excluded \(x.events) events in \(x.incidents) incidents"))
        // The history analysed with the model trained on it finds the takeover, as a model
        // trained on the same days without the attacks does.
        let clean = try Self.train(D.baselineEvents(days: 8), exclude: false)
        func takeover(_ m: TriplineModel) -> Anomaly? {
            Analysis.run(events: events, model: m).anomalies.first { $0.user == "alice" && $0.kind == .accountTakeover }
        }
        #expect(takeover(kept) == nil, "kept in training, the takeover looks normal")
        let found = try #require(takeover(model))
        #expect(found.severity == takeover(clean)?.severity && found.reasons == takeover(clean)?.reasons, "\(found.reasons) vs \(takeover(clean)?.reasons ?? [])")
    }

    /// Spans are looked up by time: an address's events outside its incidents are kept.
    @Test func onlyTheIncidentsSpansAreLeftOut() {
        var a = Anomaly(id: "x", kind: .bruteForce, start: D.at(1, 10, 0), lastSeen: D.at(1, 10, 30), user: nil, sourceIP: "192.0.2.9",
                        host: nil, score: 70, reasons: [], eventCount: 10, evidence: [], details: [:])
        var b = a
        b.start = D.at(3, 10, 0); b.lastSeen = D.at(3, 11, 0)
        a.id = "y"
        var x = TrainingExclusion([a, b])
        let verdicts = [D.login(D.at(1, 10, 15), "root", "192.0.2.9", ok: false), D.login(D.at(2, 10, 15), "root", "192.0.2.9", ok: false),
                        D.login(D.at(3, 11, 0), "root", "192.0.2.9", ok: false), D.login(D.at(3, 11, 1), "root", "192.0.2.9", ok: false),
                        D.login(D.at(1, 10, 15), "root", "192.0.2.10", ok: false)].map { x.excludes($0) }
        #expect(verdicts == [true, false, true, false, false])
        #expect(x.events == 2 && x.incidents == 2)
    }
}
