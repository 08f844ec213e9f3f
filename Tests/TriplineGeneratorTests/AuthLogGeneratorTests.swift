import Foundation
import Testing
@testable import TriplineGenerator
@testable import TriplineCore
import TriplineTestSupport

@Suite struct AuthLogGeneratorTests {
    func generate(_ config: GeneratorConfig) throws -> (events: [LogEvent], labels: JSONValue) {
        _ = try AuthLogGenerator(config: config).run()
        var events: [LogEvent] = []
        let summary = LogReader(options: ParseOptions(timeZone: TimeZone(identifier: "UTC")!)).read(path: config.outputDirectory + "/auth.log") { events.append($0) }
        #expect(summary.problemLines == 0)
        let labels = try JSONParser.parse(String(decoding: try Data(contentsOf: URL(fileURLWithPath: config.outputDirectory + "/labels/labels.json")), as: UTF8.self))
        return (events, labels)
    }

    @Test func eventsAreInTimeOrderAndAttacksFallAfterTheCleanDays() throws {
        let dir = TestFolders.path("gen")
        let config = GeneratorConfig(outputDirectory: dir, days: 6, users: 10, seed: 3, attacksPerKind: 1)
        let (events, labels) = try generate(config)
        #expect(events.count > 2000)
        #expect(zip(events, events.dropFirst()).allSatisfy { $0.timestamp <= $1.timestamp })
        let cleanEnd = Timestamp(microseconds: Int64(config.startDay + config.cleanDays) * 86_400_000_000)
        guard case .array(let attacks)? = labels["attacks"] else { Issue.record("no attacks"); return }
        for a in attacks {
            let start = try #require(a["start"]?.scalarText)
            #expect(start >= cleanEnd.iso8601, "attack \(a["id"]?.scalarText ?? "?") starts in the clean days")
        }
        // Each planted brute force shows up as failures from its source in the syslog.
        for a in attacks where a["kind"] == .string("brute_force") {
            let ip = try #require(a["source_ip"]?.scalarText)
            let failures = events.filter { $0.sourceIP == ip && $0.outcome == .failure }.count
            #expect(failures >= 30, "brute force from \(ip): \(failures) failures")
        }
        // Benign look-alikes are labelled.
        guard case .array(let benign)? = labels["benign"] else { Issue.record("no benign"); return }
        #expect(benign.contains { $0["kind"] == .string("typo_then_success") })
    }

    @Test func targetVolumeIsApproximatelyMet() throws {
        let dir = TestFolders.path("gen")
        let r = try AuthLogGenerator(config: GeneratorConfig(outputDirectory: dir, days: 2, users: 10, seed: 1, targetEvents: 100_000)).run()
        #expect(r.syslogLines > 70_000 && r.syslogLines < 150_000, "\(r.syslogLines)")
    }

    @Test func invalidOptionsAreRejected() {
        #expect(throws: GeneratorError.self) {
            try AuthLogGenerator(config: GeneratorConfig(outputDirectory: "/tmp/x", days: 0)).run()
        }
    }
}
