import Foundation
import Testing
import TriplineCore

/// `tripline train` of a long history full of incidents: its memory must not grow with their
/// number. Training runs the rules over the history first to leave the incidents' events out;
/// it once kept every incident they found, whole, to the end of that pass (and a second time
/// as a change no one read): 222 MB to train on ten million lines of a real internet-facing
/// server, 61 MB now.
@Suite struct TrainMemoryTests {
    /// The same 150 addresses scanning the server once a day for `days` days, twelve probes
    /// each: one reconnaissance incident per address per day, and nothing else that grows.
    static func scansLog(days: Int) -> String {
        var out = ""
        out.reserveCapacity(days * 150 * 12 * 110)
        let start = 1_767_225_600 // 2026-01-01T00:00:00Z
        for d in 0..<days {
            for i in 0..<150 {
                for k in 0..<12 {
                    let t = start + d * 86_400 + i * 120 + k * 5
                    out += "\(AnalyzeMemoryTests.iso(t)) web1 sshd[\(1000 + (i * 12 + k) % 30_000)]: Did not receive identification string from 198.51.0.\(i) port \(40_000 + k)\n"
                }
            }
        }
        return out
    }

    @Test func memoryDoesNotGrowWithTheNumberOfIncidentsInTheHistory() throws {
        let dir = try CLIRunner.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        var peaks: [Int] = []
        for days in [10, 80] {
            let log = dir.appendingPathComponent("scans-\(days).log")
            try Self.scansLog(days: days).write(to: log, atomically: true, encoding: .utf8)
            let models = dir.appendingPathComponent("models-\(days)").path
            let r = try ChildProcess.run(CLIRunner.binary.path, ["train", log.path, "--model-dir", models],
                                         environment: ["TZ": "UTC", "PATH": "/usr/bin:/bin"], timeout: 600)
            let err = String(decoding: r.stderr, as: UTF8.self)
            #expect(r.status == 0, "\(err)")
            #expect(err.contains("fitting: \(days * 150 * 12) events"), "\(err)")
            // The rules found every scan (the analysis of the same history says so).
            let a = try ChildProcess.run(CLIRunner.binary.path, ["analyze", log.path, "--model-dir", models, "--output", "json", "--min-severity", "low"],
                                         environment: ["TZ": "UTC", "PATH": "/usr/bin:/bin"], timeout: 600)
            let doc = try JSONParser.parse(String(decoding: a.stdout, as: UTF8.self))
            #expect(doc["anomalies_detected"]?.numberValue == Double(days * 150), "one scan per address and day")
            peaks.append(r.peakKB)
        }
        // 10,500 more incidents: kept whole they cost about 1.7 KB each (18 MB more in a
        // release build); now nothing.
        let growthMB = Double(peaks[1] - peaks[0]) / 1024
        #expect(growthMB < 6, "peak RSS \(peaks[0] / 1024) MB for 1,500 incidents, \(peaks[1] / 1024) MB for 12,000")
    }
}
