import Foundation
import Testing
@testable import TriplineCore

/// CrowdSec's scenario tests (the hub's `.tests/*/scenario.assert`): the sources CrowdSec raises
/// alerts for, run through Tripline's rules with no model. Where the two disagree on purpose,
/// the test says why.
@Suite(ConformancePaths.required) struct CrowdSecScenarioTests {
    static func anomalies(_ log: String, year: Int) throws -> [Anomaly] {
        let path = ConformancePaths.file("crowdsec/" + log).path
        let reader = LogReader(options: ParseOptions(year: year, timeZone: TimeZone(identifier: "UTC")!))
        return Analysis.run(paths: [path], reader: reader, model: nil).anomalies
    }

    static func alertedSources(_ assert: String) throws -> Set<String> {
        let text = try String(contentsOf: ConformancePaths.file("crowdsec/" + assert), encoding: .utf8)
        var out = Set<String>()
        for line in text.split(separator: "\n") where line.hasPrefix("\"") && line.contains("\" in results[") {
            out.insert(String(line.dropFirst().prefix { $0 != "\"" }))
        }
        return out
    }

    @Test(arguments: [
        ("ssh-bf--ssh-bf.log", "ssh-bf--scenario.assert"),
        ("ssh-slow-bf--ssh-slow-bf.log", "ssh-slow-bf--scenario.assert"),
        ("sshd-invalid-bf--sshd-invalid-bf.log", "sshd-invalid-bf--scenario.assert"),
    ])
    func sourcesCrowdSecAlertsOnAreIncidents(log: String, assert: String) throws {
        let expected = try Self.alertedSources(assert)
        let found = Set(try Self.anomalies(log, year: 2026).compactMap(\.sourceIP))
        #expect(!expected.isEmpty)
        #expect(expected.isSubset(of: found), "\(log): CrowdSec alerts on \(expected.sorted()), Tripline on \(found.sorted())")
        print("crowdsec scenario \(log): CrowdSec \(expected.sorted()), Tripline \(found.sorted())")
    }

    /// CrowdSec's time-based scenario flags four attempts spaced twenty minutes apart; Tripline's
    /// slow brute force wants ten over three hours or more, so a handful of tries stays quiet
    /// (a deliberate difference: four attempts in an hour is background noise on the internet).
    /// Its timeout and impossible-travel scenarios are about protocol errors and GeoIP, which
    /// Tripline does not score.
    @Test func documentedDifferences() throws {
        let timeBased = try Self.anomalies("ssh-time-based-bf--ssh-time-based-bf.log", year: 2026)
        #expect(!timeBased.contains { $0.sourceIP == "10.0.0.101" })
        // Three attempts then a success from 10.0.0.102 is not enough either.
        #expect(!timeBased.contains { $0.kind == .successAfterFailures })
        // Four unknown names in four seconds from 10.0.0.103 is not a brute force (five needed).
        #expect(!timeBased.contains { $0.sourceIP == "10.0.0.103" })
    }
}
