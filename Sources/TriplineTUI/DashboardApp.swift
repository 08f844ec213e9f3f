import Foundation
import TriplineCore
import TriplineEngine

/// The dashboard's run loop: keys, engine snapshots, drill-down answers and the app's own
/// results become ``DashboardAction``s, every one goes through ``reduce(_:_:now:)``, and the
/// effects it returns are carried out here. At most ten redraws a second, none when nothing
/// changed.
public final class DashboardApp {
    let engine: DetectionEngine
    let themes: [Theme]
    let noColor: Bool
    /// Keys come from /dev/tty because standard input carries the logs.
    public var keysFromTTY = false
    /// The alert sinks' one-line state, polled once a second (nil: alerting is off).
    public var alertStatus: (@Sendable () -> (text: String, failing: Bool))?
    var state = DashboardState()
    /// Answers that arrive from other tasks (the engine's drill-down details), taken in order
    /// by the run loop.
    let inbox = SharedBox<[DashboardAction]>([])

    /// An app over an engine, with themes (the first is used unless `initialTheme` names another).
    public init(engine: DetectionEngine, themes: [Theme], initialTheme: String?, noColor: Bool, sourceLabel: String) {
        self.engine = engine
        self.themes = themes.isEmpty ? [Theme.fallback] : themes
        self.noColor = noColor
        state.themeNames = self.themes.map(\.name)
        state.themeIndex = max(0, self.themes.firstIndex { $0.name == initialTheme } ?? 0)
        state.sourceLabel = sourceLabel
    }

    /// Runs until `q`, Ctrl-C, SIGTERM or SIGHUP; the terminal is restored on the way out.
    public func run() throws {
        try run(on: CursesTerminal(noColor: noColor, keysFromTTY: keysFromTTY))
    }

    /// Runs on `term` (a real terminal, or a scripted one in tests) until it is told to stop;
    /// the terminal is restored on the way out.
    public func run(on term: some DashboardTerminal) {
        defer { term.restore() }
        term.apply(themes[state.themeIndex])
        let engine = self.engine
        let task = Task.detached { await engine.run() }
        defer { task.cancel() }
        var lastVersion = -1
        var lastDraw = Date.distantPast
        var needsDraw = true
        var messageSince: Date?
        var instantReturns = 0
        var lastAlertPoll = Date.distantPast
        /// Applies one action; true to quit.
        func dispatch(_ action: DashboardAction) -> Bool {
            let before = state.message
            let effects = reduce(&state, action, now: Timestamp(seconds: Date().timeIntervalSince1970))
            if state.message != before { messageSince = state.message == nil ? nil : Date() }
            needsDraw = true
            return handle(effects, term: term)
        }
        let (w, h) = term.size
        _ = dispatch(.resized(width: w, height: h))
        while !term.stopRequested {
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
                    let (w, h) = term.size
                    _ = dispatch(.resized(width: w, height: h))
                } else if key == .redraw {
                    term.invalidate()
                    needsDraw = true
                } else if dispatch(.key(key)) {
                    break
                }
            }
            let snap = engine.snapshots.get()
            if snap.version != lastVersion {
                lastVersion = snap.version
                _ = dispatch(.snapshot(snap))
            }
            var arrived: [DashboardAction] = []
            inbox.update { swap(&arrived, &$0) }
            for a in arrived { _ = dispatch(a) }
            if let alertStatus, Date().timeIntervalSince(lastAlertPoll) >= 1 {
                lastAlertPoll = Date()
                let a = alertStatus()
                if state.alertLine?.text != a.text || state.alertLine?.failing != a.failing {
                    _ = dispatch(.alertStatus(text: a.text, failing: a.failing))
                }
            }
            if let since = messageSince, Date().timeIntervalSince(since) > 5 {
                _ = dispatch(.messageExpired)
            }
            if needsDraw, Date().timeIntervalSince(lastDraw) >= 0.1 {
                let r = Renderer(unicode: term.unicode, now: Timestamp(seconds: Date().timeIntervalSince1970))
                term.draw(r.render(state))
                lastDraw = Date()
                needsDraw = false
            }
        }
    }

    /// Carries out effects; true to quit. Their results come back as actions.
    private func handle(_ effects: [Effect], term: some DashboardTerminal) -> Bool {
        for e in effects {
            switch e {
            case .quit:
                return true
            case .retrain:
                let engine = self.engine
                Task.detached { await engine.retrain() }
            case .drill(let req):
                let engine = self.engine, inbox = self.inbox
                Task.detached {
                    let d = await engine.details(req)
                    inbox.update { $0.append(.details(d)) }
                }
            case .theme(let i):
                if themes.indices.contains(i) { term.apply(themes[i]) }
            case .export(let path, let anomalies):
                let result: DashboardAction
                do {
                    result = .exported(count: anomalies.count, path: try AnomalyExport.write(anomalies, to: path))
                } catch {
                    result = .exportFailed("\(error)")
                }
                inbox.update { $0.append(result) }
            }
        }
        return false
    }
}
