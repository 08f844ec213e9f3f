import Foundation
import Testing
@testable import TriplineCore

/// Reading on a second thread hands the detector the same events, in the same order, with the
/// same summary, as reading on one; and an analysis gives the same anomalies either way.
@Suite struct EventPipeTests {
    @Test func twoThreadsSeeWhatOneSees() throws {
        let d = try EventMergeTests.folder()
        var text = ""
        // More batches than the pipe holds and hands back (so that the reading thread refills
        // batches given back) and a partial last one; a few bad lines for the summary.
        let n = EventPipe.batchSize * 14 + 17
        for i in 0..<n {
            text += EventMergeTests.line(i / 4, host: "web", i)
            if i % 1000 == 0 { text += "not a log line\n" }
        }
        let path = d.appendingPathComponent("auth.log").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let reader = EventMergeTests.reader
        var one: [LogEvent] = [], two: [LogEvent] = []
        let s1 = EventPipe.read(paths: [path], reader: reader, threads: 1) { one.append($0) }
        let s2 = EventPipe.read(paths: [path], reader: reader, threads: 2) { two.append($0) }
        #expect(one.count == n)
        #expect(one.map(\.line) == two.map(\.line) && one.map(\.message) == two.map(\.message))
        #expect(s1.linesRead == s2.linesRead && s1.problemLines == s2.problemLines && s1.problemLines > 0)

        let a1 = Analysis.run(paths: [path], reader: reader, model: nil, threads: 1)
        let a2 = Analysis.run(paths: [path], reader: reader, model: nil, threads: 2)
        #expect(!a1.anomalies.isEmpty)
        #expect(a1.anomalies.map(\.jsonString) == a2.anomalies.map(\.jsonString))
    }
}
