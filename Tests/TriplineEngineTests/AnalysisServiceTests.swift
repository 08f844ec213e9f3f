import Foundation
import Synchronization
import Testing
@testable import TriplineEngine
import TriplineCore
import TriplineTestSupport

/// The shared service behind the API: what callers asked to see, and what alerting sees.
@Suite struct AnalysisServiceTests {
    /// A compressed upload expands within bounds: 40 MiB of newlines in 40 KiB of gzip is
    /// refused past its first 16 MiB (as the README says), with what came before analysed;
    /// the command line reads the same file whole, and its blank lines are counted.
    @Test func aDecompressionBombIsCutShort() throws {
        guard let gzip = ["/usr/bin/gzip", "/bin/gzip"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            print("note: gzip is not installed; the decompression bomb test is skipped")
            return
        }
        let dir = TestFolders.path("bomb")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let plain = dir + "/bomb.log"
        var text = "2026-03-06T10:00:00.000000+00:00 web sshd[1]: Failed password for root from 198.51.100.1 port 4000 ssh2\n"
        text += String(repeating: "\n", count: 40 << 20)
        try text.write(toFile: plain, atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: gzip)
        p.arguments = ["-f", plain]
        try p.run()
        p.waitUntilExit()
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: plain + ".gz")))
        #expect(bytes.count < 200_000)
        let service = AnalysisService(modelDirectory: dir)
        let upload = service.analyze(bytes: bytes, name: "bomb.log.gz")
        #expect(upload.summary.unreadable.first?.reason.contains("decompresses to over 500 times") == true, "\(upload.summary.unreadable)")
        #expect(upload.summary.events == 1, "what came before the cut is read")
        #expect(upload.summary.linesRead < 40 << 20)
        // The answer says so: a client must not take the part for the whole.
        var w = JSONWriter()
        upload.writeJSON(to: &w)
        let doc = try JSONParser.parse(String(decoding: w.bytes, as: UTF8.self))
        guard case .array(let notRead)? = doc["not_read"] else { Issue.record("no not_read in \(String(decoding: w.bytes.prefix(300), as: UTF8.self))"); return }
        #expect(notRead.first?["file"]?.scalarText == "bomb.log.gz" && notRead.first?["reason"]?.scalarText?.contains("500 times") == true)
        var own = LogReader()
        own.options.year = 2026
        let whole = own.read(path: plain + ".gz") { _ in }
        #expect(whole.unreadable.isEmpty && whole.events == 1)
        #expect(whole.skipped[.blank] == 40 << 20, "every blank line is counted")
    }

    @Test func alertingSeesEveryAnomalyWhateverTheCallerAskedFor() throws {
        let seen = Mutex<[Anomaly]>([])
        let dir = TestFolders.path("svc")
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

/// A config file's thresholds are laid over whichever model is in use, not frozen at start-up.
@Suite struct ServiceOverridesTests {
    static func model(bruteForceFailures: Double) -> TriplineModel {
        var config = DetectionConfig()
        config.bruteForceFailures = bruteForceFailures
        var events: [LogEvent] = []
        let lines = (0..<40).map { i in
            "2026-03-0\(1 + i / 20)T09:\(String(format: "%02d", i % 60)):00.000000+00:00 web sshd[\(200 + i)]: Accepted publickey for alice from 10.0.0.\(1 + i % 3) port 5\(i) ssh2\n"
        }.joined()
        _ = LogReader().read(bytes: Array(lines.utf8), name: "train.log") { events.append($0) }
        return Trainer(config: config).train(events: events, label: "train.log")
    }

    @Test func reloadedModelKeepsTheFileOverridesAndBringsItsOwnThresholds() throws {
        let dir = TestFolders.path("svc")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.model(bruteForceFailures: 5).save(to: dir)
        let service = AnalysisService(modelDirectory: dir, overrides: DetectionOverrides(["success_after_failures_min": 50]))
        var burst = ""
        for i in 0..<8 { burst += "2026-03-06T10:00:\(String(format: "%02d", i * 5)).000000+00:00 web sshd[\(10 + i)]: Failed password for root from 198.51.100.1 port \(4000 + i) ssh2\n" }

        #expect(service.config.bruteForceFailures == 5 && service.config.successAfterFailuresMin == 50)
        let before = service.analyze(bytes: Array(burst.utf8), name: "a.log")
        #expect(before.anomalies.contains { $0.kind == .bruteForce }, "8 failures pass the first model's 5")

        // Retrained with a higher threshold and reloaded: the new model's 20 applies, the file's setting stays.
        try Self.model(bruteForceFailures: 20).save(to: dir)
        try service.reloadModel()
        #expect(service.config.bruteForceFailures == 20 && service.config.successAfterFailuresMin == 50)
        let after = service.analyze(bytes: Array(burst.utf8), name: "a.log")
        #expect(!after.anomalies.contains { $0.kind == .bruteForce }, "\(after.anomalies.map(\.kind))")
    }
}
