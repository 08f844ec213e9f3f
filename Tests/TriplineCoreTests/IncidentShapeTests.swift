import Foundation
import Testing
@testable import TriplineCore

/// Incidents as analysts read them: an incident starts where its burst did, with the source's
/// sparse earlier failures stated as history; a login after failures is rated by how many
/// failures there were on that account, never less for more.
@Suite struct IncidentShapeTests {
    typealias D = DetectorTests

    /// A few sparse failures the day before, then 147 failed passwords in 7 minutes: one brute
    /// force that starts with the burst, its history in the reasons.
    @Test func sparseHistoryIsStatedNotAbsorbedIntoTheStart() {
        var events: [LogEvent] = []
        for (k, h) in [1, 1, 1, 2, 2, 3, 3, 4, 4].enumerated() {
            events.append(D.login(D.at(8, h, 10 + k), "root", "198.51.100.77", ok: false))
        }
        for i in 0..<147 { events.append(D.login(D.at(9, 0, 0, Double(i) * 2.8), "root", "198.51.100.77", ok: false)) }
        let found = D.detect(events).filter { $0.sourceIP == "198.51.100.77" }
        #expect(found.count == 1, "\(found.map { ($0.kind, $0.start) })")
        guard let bf = found.first else { return }
        #expect(bf.kind == .bruteForce)
        #expect(bf.start == D.at(9, 0, 0), "starts \(bf.start), not the day before")
        #expect(bf.reasons.first?.hasPrefix("147 failed logins for root") == true, "\(bf.reasons)")
        #expect(bf.reasons.contains { $0.hasPrefix("also 9 failed logins from 198.51.100.77 over the previous 2") && $0.hasSuffix(" h before this") }, "\(bf.reasons)")
    }

    /// Failures within the hour before a burst, more than a window earlier, are history too.
    @Test func aBurstStartsAtMostOneWindowEarlier() {
        var events = [D.login(D.at(8, 2, 0), "admin", "198.51.100.78", ok: false), D.login(D.at(8, 2, 5), "admin", "198.51.100.78", ok: false)]
        for i in 0..<20 { events.append(D.login(D.at(8, 2, 40, Double(i) * 3), "root", "198.51.100.78", ok: false)) }
        let found = D.detect(events).filter { $0.sourceIP == "198.51.100.78" }
        #expect(found.count == 1 && found.first?.start == D.at(8, 2, 40), "\(found.map { ($0.kind, $0.start) })")
        #expect(found.first?.reasons.contains { $0.hasPrefix("also 2 failed logins") } == true, "\(found.first?.reasons ?? [])")
    }

    /// A slow brute force still starts at its first failure: that is the attack's start.
    @Test func aSlowBruteForceStartsAtItsFirstFailure() {
        let events = (0..<12).map { D.login(D.at(8, 1 + $0 / 2, ($0 % 2) * 30), "root", "198.51.100.79", ok: false) }
        let found = D.detect(events).filter { $0.sourceIP == "198.51.100.79" }
        #expect(found.first?.kind == .slowBruteForce)
        #expect(found.first?.start == D.at(8, 1, 0), "\(found.map { ($0.kind, $0.start) })")
    }

    /// Two bursts 40 minutes apart: two incidents, the second linking to the first; with a
    /// longer gap set, one.
    @Test func aNewBurstIsANewIncidentThatLinksBack() {
        var events: [LogEvent] = []
        for i in 0..<10 { events.append(D.login(D.at(8, 3, 0, Double(i) * 5), "root", "198.51.100.90", ok: false)) }
        for i in 0..<10 { events.append(D.login(D.at(8, 3, 41, Double(i) * 5), "root", "198.51.100.90", ok: false)) }
        let two = Analysis.run(events: events, model: nil).anomalies
        #expect(two.count == 2 && two.allSatisfy { $0.kind == .bruteForce })
        guard two.count == 2 else { return }
        #expect(two[1].details["previous_incident"] == .string(two[0].id))
        #expect(two[1].reasons.contains { $0.hasPrefix("follows incident \(two[0].id) from 198.51.100.90, which ended 40 min before") }, "\(two[1].reasons)")
        #expect(two[0].details["previous_incident"] == nil)
        var c = DetectionConfig()
        c.incidentGap = 3600
        #expect(Analysis.run(events: events, model: nil, config: c).anomalies.count == 1)
    }

    static func success(after failures: Int, user: String, source: String, others: Int = 0, day: Int = 8) -> Anomaly? {
        var events: [LogEvent] = []
        for i in 0..<failures { events.append(D.login(D.at(day, 11, 0, Double(i) * 2), user, source, ok: false)) }
        for i in 0..<others { events.append(D.login(D.at(day, 10, 58, Double(i)), "other\(i)", source, ok: false)) }
        events.append(D.login(D.at(day, 11, 10), user, source, ok: true))
        return D.detect(events).first { $0.kind == .successAfterFailures }
    }

    /// The README's table, row by row.
    @Test func successAfterFailuresSeverityTable() {
        // Familiar address and account (alice at the office): after 147 failures, critical.
        #expect(Self.success(after: 147, user: "alice", source: "10.20.1.10")?.severity == .critical)
        #expect(Self.success(after: 5, user: "alice", source: "10.20.1.10")?.severity == .critical)
        // The same after four typos: below the threshold, the user, not reported.
        #expect(Self.success(after: 4, user: "alice", source: "10.20.1.10") == nil)
        // A stranger's address: three or four tries on the account, high; five, critical.
        #expect(Self.success(after: 3, user: "alice", source: "203.0.113.50", others: 4)?.severity == .high)
        #expect(Self.success(after: 5, user: "alice", source: "203.0.113.51")?.severity == .critical)
        // An address that failed on other accounts, then got into this one: high.
        #expect(Self.success(after: 0, user: "alice", source: "203.0.113.52", others: 6)?.severity == .high)
        // One or two tries, nothing else from the address: a typo, not reported.
        #expect(Self.success(after: 1, user: "alice", source: "203.0.113.53") == nil)
        #expect(Self.success(after: 2, user: "alice", source: "203.0.113.54") == nil)
    }

    /// More failures on the account never rate a login lower.
    @Test func severityOnlyRisesWithFailures() {
        let c = DetectionConfig()
        for known in [false, true] {
            for others in [0.0, 3, 10] {
                var last = 0.0
                for n in 0...200 {
                    let s = Detector.successScore(forUser: Double(n), fromSource: Double(n) + others, knownAndOnlyOwn: known && others == 0, config: c)
                    #expect(s >= last, "\(n) failures, known \(known), others \(others)")
                    last = s
                }
            }
        }
    }
}
