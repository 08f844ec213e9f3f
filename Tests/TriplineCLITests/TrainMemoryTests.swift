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

    /// A hundred thousand failed logins, from 12,500 addresses (8 each) or from 100,000 (one
    /// each, as a botnet sends them): training keeps a baseline per source, up to a cap, so
    /// memory grows with the sources, but by little more than the model it writes. Writing
    /// the model with `JSONEncoder` built a tree of all of it first, twenty times the size of
    /// the file (a 6 MB model peaked at 165 MB, against 87 MB now).
    @Test func memoryGrowsWithDistinctAddressesLittleMoreThanTheModel() throws {
        let dir = try CLIRunner.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        var peaks: [Int] = [], sizes: [Int] = []
        let start = 1_767_225_600 // 2026-01-01T00:00:00Z
        for addresses in [12_500, 100_000] {
            var out = ""
            out.reserveCapacity(100_000 * 110)
            for i in 0..<100_000 {
                let a = i % addresses
                out += "\(AnalyzeMemoryTests.iso(start + i)) web1 sshd[\(1000 + i % 30_000)]: Failed password for root from 10.\(a >> 16).\((a >> 8) & 255).\(a & 255) port 4000 ssh2\n"
            }
            let log = dir.appendingPathComponent("sources-\(addresses).log")
            try out.write(to: log, atomically: true, encoding: .utf8)
            let models = dir.appendingPathComponent("models-\(addresses)").path
            let r = try ChildProcess.run(CLIRunner.binary.path, ["train", log.path, "--model-dir", models, "--keep-incidents"],
                                         environment: ["TZ": "UTC", "PATH": "/usr/bin:/bin"], timeout: 600)
            #expect(r.status == 0, "\(String(decoding: r.stderr, as: UTF8.self))")
            let model = try TriplineModel.load(from: models)
            #expect(model.sources.count == addresses, "a baseline per source")
            peaks.append(r.peakKB * 1024)
            sizes.append(try FileManager.default.attributesOfItem(atPath: TriplineModel.path(in: models))[.size] as? Int ?? 0)
        }
        let growth = peaks[1] - peaks[0], modelGrowth = sizes[1] - sizes[0]
        #expect(modelGrowth > 4_000_000, "the model holds the sources: \(sizes)")
        #expect(growth < 8 * modelGrowth, "peak RSS \(peaks[0] >> 20) MB for 12,500 sources, \(peaks[1] >> 20) MB for 100,000; the model grew by \(modelGrowth >> 10) KB")
    }
}
