import Foundation
import TriplineCore
import TriplineEngine

/// The dashboard's run loop: keys in, ``reduce``, effects out; snapshots from the engine;
/// at most ten redraws a second, and none when nothing changed.
public final class DashboardApp {
    let engine: DetectionEngine
    let themes: [Theme]
    var themeIndex: Int
    let noColor: Bool
    /// Keys come from /dev/tty because standard input carries the logs.
    public var keysFromTTY = false
    /// The alert sinks' one-line state, polled once a second (nil: alerting is off).
    public var alertStatus: (@Sendable () -> (text: String, failing: Bool))?
    var state = DashboardState()

    /// An app over an engine, with themes (the first is used unless `initialTheme` names another).
    public init(engine: DetectionEngine, themes: [Theme], initialTheme: String?, noColor: Bool, sourceLabel: String) {
        self.engine = engine
        self.themes = themes.isEmpty ? [Theme.fallback] : themes
        self.themeIndex = max(0, self.themes.firstIndex { $0.name == initialTheme } ?? 0)
        self.noColor = noColor
        state.themeNames = self.themes.map(\.name)
        state.themeIndex = themeIndex
        state.sourceLabel = sourceLabel
    }

    /// Runs until `q`, Ctrl-C, SIGTERM or SIGHUP; the terminal is restored on the way out.
    public func run() throws {
        let term = try CursesTerminal(noColor: noColor, keysFromTTY: keysFromTTY)
        defer { term.restore() }
        term.apply(themes[themeIndex])
        let engine = self.engine
        let task = Task.detached { await engine.run() }
        defer { task.cancel() }
        (state.width, state.height) = term.size
        var lastVersion = -1
        var lastDraw = Date.distantPast
        var needsDraw = true
        var messageSince: Date?
        var instantReturns = 0
        var lastAlertPoll = Date.distantPast
        while !CursesTerminal.stopRequested {
            let asked = Date()
            let pressed = term.readKey()
            // A vanished terminal (the SSH connection or tmux pane gone without a SIGHUP reaching
            // us) makes every read fail at once: leave instead of spinning.
            if pressed == nil, Date().timeIntervalSince(asked) < 0.005 {
                instantReturns += 1
                if instantReturns > 200 { break }
            } else {
                instantReturns = 0
            }
            if let key = pressed {
                if key == .resize {
                    (state.width, state.height) = term.size
                } else if key == .redraw {
                    term.invalidate()
                } else {
                    let before = state.message
                    let effects = reduce(&state, key: key, now: Timestamp(seconds: Date().timeIntervalSince1970))
                    if state.message != before { messageSince = Date(); state.messageIsError = false }
                    if handle(effects, term: term) { break }
                }
                needsDraw = true
            }
            let snap = engine.snapshots.get()
            if snap.version != lastVersion {
                lastVersion = snap.version
                state.snapshot = snap
                if state.feedCursor >= state.feed.count { state.feedCursor = max(0, state.feed.count - 1) }
                needsDraw = true
            }
            if case .drill(let req) = state.view, let d = engine.drillDetails.get(), d.name == req.name, state.details?.anomalies != d.anomalies || state.details == nil {
                state.details = d
                needsDraw = true
            }
            if let alertStatus, Date().timeIntervalSince(lastAlertPoll) >= 1 {
                lastAlertPoll = Date()
                let a = alertStatus()
                if state.alertLine?.text != a.text || state.alertLine?.failing != a.failing {
                    state.alertLine = a
                    needsDraw = true
                }
            }
            if let since = messageSince, Date().timeIntervalSince(since) > 5 {
                state.message = nil
                messageSince = nil
                needsDraw = true
            }
            if needsDraw, Date().timeIntervalSince(lastDraw) >= 0.1 {
                let r = Renderer(unicode: term.unicode, now: Timestamp(seconds: Date().timeIntervalSince1970))
                term.draw(r.render(state))
                lastDraw = Date()
                needsDraw = false
            }
        }
    }

    /// Carries out effects; true to quit.
    private func handle(_ effects: [Effect], term: CursesTerminal) -> Bool {
        for e in effects {
            switch e {
            case .quit:
                return true
            case .retrain:
                let engine = self.engine
                Task.detached { await engine.retrain() }
            case .drill(let req):
                engine.drillDetails.set(nil)
                engine.drillRequest.set(req)
            case .theme(let name):
                if let i = themes.firstIndex(where: { $0.name == name }) {
                    themeIndex = i
                    term.apply(themes[i])
                }
            case .export(let path, let ids):
                let byID = Dictionary(state.snapshot.anomalies.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
                let chosen = ids.compactMap { byID[$0] }
                do {
                    let written = try AnomalyExport.write(chosen, to: path)
                    state.message = "exported \(chosen.count) anomal\(chosen.count == 1 ? "y" : "ies") to \(written)"
                    state.messageIsError = false
                } catch {
                    state.message = "export failed: \(error)"
                    state.messageIsError = true
                }
            }
        }
        return false
    }
}
