import Foundation
import Testing
import TriplineCore
import TriplineEngine
@testable import TriplineTUI
import TriplineTestSupport

/// A terminal that plays a script: each step waits until the last frame drawn shows something,
/// then presses keys. Gives up (quits) after a deadline, noting which step never came.
final class ScriptedTerminal: DashboardTerminal {
    struct Step {
        var waitFor: (String) -> Bool
        var what: String
        var keys: [Key]
    }

    let unicode = true
    let size: (width: Int, height: Int) = (120, 32)
    var steps: [Step]
    var frames = 0
    var lastFrame = ""
    var themes: [String] = []
    var restored = false
    var stuck: String?
    var pending: [Key] = []
    // Generous: on a loaded CI machine the engine's task can wait long for a thread.
    let deadline = Date().addingTimeInterval(600)

    init(_ steps: [Step]) { self.steps = steps }

    func readKey() -> Key? {
        if !pending.isEmpty { return pending.removeFirst() }
        if let step = steps.first, step.waitFor(lastFrame) {
            steps.removeFirst()
            pending = step.keys
            return pending.isEmpty ? nil : pending.removeFirst()
        }
        if Date() > deadline {
            stuck = steps.first?.what
            steps = []
            return .interrupt
        }
        usleep(10_000) // as a real terminal's read does when no key comes
        return nil
    }

    func draw(_ b: ScreenBuffer) {
        frames += 1
        lastFrame = b.text
    }

    func invalidate() {}
    func apply(_ theme: Theme) { themes.append(theme.name) }
    var stopRequested: Bool { false }
    func restore() { restored = true }
}

/// The dashboard app in-process, on a scripted terminal over a real engine following a real
/// file: every key goes through the app's loop, effects and all.
@Suite struct DashboardAppTests {
    @Test func drillThemeExportAndQuit() async throws {
        let dir = TestFolders.url("tripline-app")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("auth.log")
        try (0..<8).map { "2026-01-10T10:00:0\($0)Z web sshd[\(100 + $0)]: Failed password for root from 203.0.113.9 port 22 ssh2\n" }
            .joined().write(to: log, atomically: true, encoding: .utf8)
        var options = DetectionEngine.Options(paths: [log.path], modelDirectory: dir.path)
        options.fromStart = true
        let engine = DetectionEngine(options: options)
        let dark = Theme(name: "dark", colors: [:]), light = Theme(name: "light", colors: [:])
        let app = DashboardApp(engine: engine, themes: [dark, light], initialTheme: "dark", noColor: false, sourceLabel: "following auth.log")
        let export = dir.appendingPathComponent("chosen.json").path
        let term = ScriptedTerminal([
            .init(waitFor: { $0.contains("brute force") }, what: "the brute force in the feed", keys: [.enter]),
            .init(waitFor: { $0.contains("RECENT EVENTS") && $0.contains("Failed password") }, what: "the drill-down's events", keys: [.escape]),
            .init(waitFor: { !$0.contains("RECENT EVENTS") }, what: "back to the feed", keys: [.char("t")]),
            .init(waitFor: { $0.contains("theme: light") }, what: "the theme message", keys: [.char("e")]),
            .init(waitFor: { $0.contains("export to:") }, what: "the export prompt",
                  keys: Array(repeating: .backspace, count: 80) + export.map { .char($0) } + [.enter]),
            .init(waitFor: { $0.contains("exported 1 anomaly") }, what: "the export message", keys: [.char("q")]),
        ])
        // The app's loop blocks its thread as a terminal's read does: on a thread of its own,
        // not one of the few the engine's tasks run on (with other tests holding the rest, the
        // engine waited out the deadline and the feed stayed empty).
        let running = Unchecked((app, term))
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let thread = Thread {
                running.value.0.run(on: running.value.1)
                done.resume()
            }
            thread.start()
        }
        #expect(term.stuck == nil, "never saw \(term.stuck ?? "")\n\(term.lastFrame)")
        #expect(term.restored)
        #expect(term.themes == ["dark", "light"])
        let doc = try JSONParser.parse(String(contentsOfFile: export, encoding: .utf8))
        guard case .array(let exported) = doc["anomalies"] ?? doc else {
            Issue.record("export: \(doc)")
            return
        }
        #expect(exported.count == 1)
        #expect(exported.first?["source_ip"]?.scalarText == "203.0.113.9")
    }
}

/// Hands a value to another thread that the test then leaves alone until the thread is done.
struct Unchecked<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
