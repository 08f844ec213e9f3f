import Foundation
import Testing
@testable import TriplineGenerator
import TriplineCore
import TriplineTestSupport

/// Detection quality on labelled generated logs (both forms), as `tripline evaluate` prints it.
/// Floors, not targets: the figures themselves go to BENCHMARKS.md.
@Suite struct DetectionQualityTests {
    @Test(arguments: ["syslog", "ndjson"])
    func recallAndPrecisionOnGeneratedAttacks(form: String) throws {
        let dir = TestFolders.path("quality")
        let config = GeneratorConfig(outputDirectory: dir, days: 9, users: 20, seed: 99, attacksPerKind: 2)
        _ = try AuthLogGenerator(config: config).run()
        let file = dir + "/" + (form == "syslog" ? GeneratorConfig.syslogFile : GeneratorConfig.ndjsonFile)
        let (labels, clean, _) = try Evaluation.labels(in: dir)
        var dc = DetectionConfig()
        dc.baselineDays = Double(clean)
        let reader = LogReader(options: ParseOptions(timeZone: TimeZone(identifier: "UTC")!))
        let (model, _) = Trainer(config: dc).train(paths: [file], reader: reader)
        let analysis = Analysis.run(paths: [file], reader: reader, model: model)
        let ev = Evaluation(anomalies: analysis.anomalies, labels: labels.filter { $0.shown(in: form) })
        print("detection quality (\(form)):\n" + ev.report())
        let found = ev.recall.values.reduce(0) { $0 + $1.found }, planted = ev.recall.values.reduce(0) { $0 + $1.planted }
        let onAttack = ev.precision.values.reduce(0) { $0 + $1.onAttack }, reported = ev.precision.values.reduce(0) { $0 + $1.reported }
        #expect(planted >= 16)
        #expect(Double(found) / Double(planted) >= 0.9)
        #expect(Double(onAttack) / Double(max(1, reported)) >= 0.8)
        // At medium and above, where an analyst starts, nearly everything is an attack.
        let serious = analysis.anomalies.filter { $0.severity >= .medium }
        let seriousFalse = ev.falsePositives.filter { $0.severity >= .medium }
        #expect(Double(seriousFalse.count) <= 0.05 * Double(serious.count), "\(seriousFalse.map { "\($0.kind) \($0.entity)" })")
    }
}
