import Foundation
import Testing
import TriplineAlerts
import TriplineConfig
import TriplineCore

/// A receiver down for weeks must not fill the disk: past its limit a spool drops its oldest
/// waiting alerts, says so, and writes their ids down.
@Suite struct AlertSpoolLimitTests {
    @Test func theOldestWaitingAlertsGoWhenTheSpoolIsFull() throws {
        let dir = Fixture.spoolDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let spool = try AlertSpool(directory: dir + "/webhook", chunkSize: 5, maxBytes: 20_000)
        var queued = 0
        for batch in 0..<20 {
            let alerts = (0..<5).map { i in Alert(anomaly: Fixture.anomaly(id: "TL-\(batch)-\(i)")) }
            queued += try spool.append(alerts)
        }
        #expect(queued == 100)
        let onDisk = Fixture.files(dir, "webhook", "pending").reduce(Int64(0)) { sum, f in
            sum + Int64((try? FileManager.default.attributesOfItem(atPath: "\(dir)/webhook/pending/\(f)")[.size] as? Int) ?? 0)
        }
        #expect(onDisk <= 20_000 && onDisk > 10_000, "\(onDisk) bytes waiting")
        #expect(spool.droppedCount > 0 && spool.droppedCount + spool.pendingCount == 100)
        // The newest are kept, the oldest dropped and written down.
        let next = try #require(spool.next(limit: 5))
        #expect(!next.alerts.contains { $0.anomaly.id.hasPrefix("TL-0-") })
        let log = try String(contentsOfFile: dir + "/webhook/dropped.log", encoding: .utf8)
        #expect(log.contains("TL-0-0") && log.contains("over") && !log.contains("TL-19-"))
        #expect(log.split(separator: "\n").count == spool.droppedCount)

        // A restart counts what is on disk.
        spool.release()
        let again = try AlertSpool(directory: dir + "/webhook", chunkSize: 5, maxBytes: 20_000)
        #expect(again.pendingCount == 100 - spool.droppedCount)
    }

    @Test func theDispatcherSaysWhenItDrops() async throws {
        let dir = Fixture.spoolDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var settings = Fixture.settings([AlertSettings.Sink(kind: .webhook, url: "http://127.0.0.1:9/hook")])
        settings.maxSpoolMB = 0.01 // about 10 KB
        let logs = LogCapture()
        let d = try AlertDispatcher(settings: settings, spoolDirectory: dir, logger: logs.logger)
        d.offer((0..<60).map { Fixture.anomaly(id: "TL-\($0)") })
        d.offer((60..<120).map { Fixture.anomaly(id: "TL-\($0)") })
        #expect(logs.text.contains("alert spool full") && logs.text.contains("dropped.log"), "\(logs.text)")
        #expect(d.summary.text.contains("dropped (spool full)"), "\(d.summary.text)")
        await d.shutdown()
    }
}
