import Foundation
import Synchronization
import Testing
@testable import TriplineEngine
import TriplineCore

/// The shared service behind the API: what callers asked to see, and what alerting sees.
@Suite struct AnalysisServiceTests {
    @Test func alertingSeesEveryAnomalyWhateverTheCallerAskedFor() throws {
        let seen = Mutex<[Anomaly]>([])
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("svc-\(UUID().uuidString)").path
        let service = AnalysisService(modelDirectory: dir, onAnomalies: { list in seen.withLock { $0 += list } })
        // A short burst (a medium or high brute force) and a long one (critical), from two sources.
        var lines = ""
        for i in 0..<6 { lines += "2026-03-06T10:00:\(String(format: "%02d", i)).000000+00:00 web sshd[\(10 + i)]: Failed password for root from 198.51.100.1 port \(4000 + i) ssh2\n" }
        for i in 0..<150 { lines += "2026-03-06T11:\(String(format: "%02d", i / 60)):\(String(format: "%02d", i % 60)).000000+00:00 web sshd[\(100 + i)]: Failed password for root from 203.0.113.9 port \(5000 + i) ssh2\n" }
        let result = service.analyze(bytes: Array(lines.utf8), name: "t.log", minimumSeverity: .critical)
        let all = seen.withLock { $0 }
        #expect(all.count == 2, "\(all.map { "\($0.kind) \($0.severity)" })")
        #expect(result.anomalies.count == 1 && result.anomalies.allSatisfy { $0.severity == .critical })
        #expect(service.anomalies(matching: AnomalyFilter()).count == 1, "what is kept is what the caller asked for")
    }
}
