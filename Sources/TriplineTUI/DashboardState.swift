import TriplineCore
import TriplineEngine

/// A key press, decoded from the terminal.
public enum Key: Equatable, Sendable {
    case char(Character)
    case enter, escape, tab, backTab, up, down, left, right, pageUp, pageDown, home, end, backspace
    case resize, redraw, interrupt
}

/// Everything the dashboard shows and remembers: a plain value, changed only by ``reduce``.
public struct DashboardState: Sendable {
    public enum View: Equatable, Sendable { case main, drill(DetectionEngine.EntityRequest), help }
    public enum Pane: Int, CaseIterable, Sendable { case feed, sources, users, hosts }

    public var snapshot = EngineSnapshot()
    public var view: View = .main
    /// Where to go back to from a drill-down.
    public var previousView: View = .main
    public var focus: Pane = .feed
    public var feedCursor = 0
    public var feedScroll = 0
    public var offenderCursor = 0
    public var drillScroll = 0
    public var filter = ""
    /// The last filter applied: `n` and `N` jump between the rows it matches, also once the
    /// filter is cleared (Esc), to see them among the others.
    public var search = ""
    /// How far the feed is scrolled to the right (`→`), in columns.
    public var feedShift = 0
    public var editingFilter = false
    public var minSeverity: Severity = .low
    /// The histogram's bucket size chosen with + and -; nil fits the log's span to the pane.
    public var histogramZoom: ActivityHistogram.Zoom?
    /// The feed frozen by `p` (new anomalies still counted in the header).
    public var frozen: [Anomaly]?
    public var selected = Set<String>()
    /// Entities muted for the session by `a`.
    public var acknowledged = Set<String>()
    public var exportPrompt: String?
    public var message: String?
    public var messageIsError = false
    public var themeNames: [String] = ["dark"]
    public var themeIndex = 0
    public var details: EntityDetails?
    public var width = 80
    public var height = 24
    /// Shown in the header: what is being followed.
    public var sourceLabel = ""
    /// The alert sinks' state (`alerts: 3 sent`), when alerting is on; the flag marks a failing sink.
    public var alertLine: (text: String, failing: Bool)?

    public init() {}

    /// The feed as shown: frozen or live, filtered, without acknowledged entities.
    public var feed: [Anomaly] {
        let all = frozen ?? snapshot.anomalies
        let needle = filter.lowercased()
        return all.filter { a in
            guard a.severity >= minSeverity else { return false }
            if let u = a.user, acknowledged.contains("user " + u) { return false }
            if let s = a.sourceIP, acknowledged.contains("source " + s) { return false }
            if let h = a.host, acknowledged.contains("host " + h) { return false }
            return DashboardState.matches(a, needle)
        }
    }

    /// Whether `a`'s user, source, kind or host contains `needle` (lower case; empty matches all).
    static func matches(_ a: Anomaly, _ needle: String) -> Bool {
        guard !needle.isEmpty else { return true }
        return [a.user, a.sourceIP, a.kind.rawValue, a.host].contains { $0?.lowercased().contains(needle) == true }
    }

    /// Whether the events come from more than one host: the feed then has a HOST column and
    /// the offenders pane a HOSTS list.
    public var manyHosts: Bool { snapshot.stats.hosts > 1 }

    /// The offenders list in focus.
    var offenders: [EngineSnapshot.Offender] {
        switch focus {
        case .users: return snapshot.topUsers
        case .hosts: return snapshot.topHosts
        default: return snapshot.topSources
        }
    }

    /// The row count the feed pane shows at the current size.
    public var feedRows: Int { max(1, Layout(width: width, height: height).feed.height - 2) }
}

/// What the app must do after an action: the reducer stays pure.
public enum Effect: Equatable, Sendable {
    case quit
    case retrain
    /// Write these anomalies (the feed as the analyst sees it, paused or not) to `path`.
    case export(path: String, anomalies: [Anomaly])
    /// Ask the engine about an entity; its answer comes back as ``DashboardAction/details(_:)``.
    case drill(DetectionEngine.EntityRequest)
    /// Use the theme at this index of ``DashboardState/themeNames``.
    case theme(Int)
}

/// Everything that changes the dashboard's state: keys, and what the engine, the terminal and
/// the app's effects report. Each goes through ``reduce(_:_:now:)``.
public enum DashboardAction: Sendable {
    case key(Key)
    /// The terminal's new size.
    case resized(width: Int, height: Int)
    /// A newer engine snapshot.
    case snapshot(EngineSnapshot)
    /// The engine's answer to a drill-down request.
    case details(EntityDetails)
    /// The alert sinks' one-line state.
    case alertStatus(text: String, failing: Bool)
    /// The message has been shown long enough.
    case messageExpired
    /// How an export went: the file written, or why it failed.
    case exported(count: Int, path: String)
    case exportFailed(String)
}

/// Applies an action to the state; returns what the app must do.
public func reduce(_ s: inout DashboardState, _ action: DashboardAction, now: Timestamp) -> [Effect] {
    switch action {
    case .key(let key):
        return reduce(&s, key: key, now: now)
    case .resized(let w, let h):
        s.width = w
        s.height = h
    case .snapshot(let snap):
        s.snapshot = snap
        if s.feedCursor >= s.feed.count { s.feedCursor = max(0, s.feed.count - 1) }
        if s.offenderCursor >= s.offenders.count { s.offenderCursor = max(0, s.offenders.count - 1) }
    case .details(let d):
        // Only the answer about what is on screen (a late answer to an earlier request is dropped).
        if case .drill(let req) = s.view, req.name == d.name, req.kind == d.kind { s.details = d }
    case .alertStatus(let text, let failing):
        s.alertLine = (text, failing)
    case .messageExpired:
        s.message = nil
        s.messageIsError = false
    case .exported(let count, let path):
        s.message = "exported \(count) anomal\(count == 1 ? "y" : "ies") to \(path)"
        s.messageIsError = false
    case .exportFailed(let why):
        s.message = "export failed: \(why)"
        s.messageIsError = true
    }
    return []
}

/// Applies a key to the state; returns what the app must do.
public func reduce(_ s: inout DashboardState, key: Key, now: Timestamp) -> [Effect] {
    if s.exportPrompt != nil { return reduceExportPrompt(&s, key: key) }
    if s.editingFilter { reduceFilter(&s, key: key); return [] }
    if case .char(let c) = key, c == "q" || key == .interrupt {
        if s.view != .main { s.view = .main; return [] }
        return [.quit]
    }
    if key == .interrupt { return [.quit] }
    switch s.view {
    case .help:
        s.view = .main
        return []
    case .drill:
        switch key {
        case .escape, .backspace, .left: s.view = .main; s.details = nil
        case .down, .char("j"): s.drillScroll += 1
        case .up, .char("k"): s.drillScroll = max(0, s.drillScroll - 1)
        case .pageDown: s.drillScroll += 10
        case .pageUp: s.drillScroll = max(0, s.drillScroll - 10)
        case .char("g"), .home: s.drillScroll = 0
        default: break
        }
        return []
    case .main:
        break
    }
    let feed = s.feed
    switch key {
    case .char("?"): s.view = .help
    case .tab, .backTab:
        // Feed, sources, users, and hosts when there are several.
        let panes = s.manyHosts ? 4 : 3
        let step = key == .tab ? 1 : panes - 1
        s.focus = DashboardState.Pane(rawValue: (min(s.focus.rawValue, panes - 1) + step) % panes) ?? .feed
        s.offenderCursor = 0
    case .right:
        if s.focus == .feed { s.feedShift = min(s.feedShift + 10, 1_200) } // the widest line: columns and a 1,000-column reason
    case .left:
        if s.focus == .feed { s.feedShift = max(0, s.feedShift - 10) }
    case .char("n"), .char("N"):
        guard !s.search.isEmpty else { s.message = "nothing to search for: / to filter, then Esc and n"; break }
        guard s.focus == .feed, !feed.isEmpty else { break }
        let needle = s.search.lowercased(), forward = key == .char("n")
        let start = min(s.feedCursor, feed.count - 1)
        var found: Int?
        for k in 1...feed.count {
            let i = ((start + (forward ? k : -k)) % feed.count + feed.count) % feed.count
            if DashboardState.matches(feed[i], needle) { found = i; break }
        }
        if let i = found {
            move(&s, by: i - s.feedCursor, count: feed.count)
            if forward ? i <= start : i >= start { s.message = "search wrapped around" }
        } else {
            s.message = "no row matches '\(TerminalSafe.sanitize(s.search))'"
        }
    case .down, .char("j"): move(&s, by: 1, count: feed.count)
    case .up, .char("k"): move(&s, by: -1, count: feed.count)
    case .pageDown: move(&s, by: s.feedRows, count: feed.count)
    case .pageUp: move(&s, by: -s.feedRows, count: feed.count)
    case .char("g"), .home: move(&s, by: -1_000_000, count: feed.count)
    case .char("G"), .end: move(&s, by: 1_000_000, count: feed.count)
    case .enter:
        if let req = drillTarget(s, feed: feed) {
            s.previousView = .main
            s.view = .drill(req)
            s.details = nil
            s.drillScroll = 0
            return [.drill(req)]
        }
    case .escape:
        if !s.filter.isEmpty { s.filter = ""; s.message = "filter cleared" }
    case .char("/"):
        s.editingFilter = true
    case .char("s"):
        let all = Severity.allCases
        s.minSeverity = all[(all.firstIndex(of: s.minSeverity).map { $0 + 1 } ?? 0) % all.count]
        s.feedCursor = 0; s.feedScroll = 0
        s.message = "showing \(s.minSeverity.rawValue) and above"
    case .char("p"):
        if s.frozen == nil { s.frozen = s.snapshot.anomalies; s.message = "feed paused: new anomalies are counted, not shown (p to resume)" }
        else { s.frozen = nil; s.message = "feed resumed" }
    case .char(" "):
        if s.focus == .feed, s.feedCursor < feed.count {
            let id = feed[s.feedCursor].id
            if s.selected.contains(id) { s.selected.remove(id) } else { s.selected.insert(id) }
            move(&s, by: 1, count: feed.count)
        }
    case .char("e"):
        let stamp = now.iso8601.prefix(19).replacingOccurrences(of: ":", with: "").replacingOccurrences(of: "-", with: "")
        s.exportPrompt = "tripline-export-\(stamp).json"
    case .char("R"):
        s.message = "retraining in the background…"
        return [.retrain]
    case .char("+"), .char("-"):
        let all = ActivityHistogram.Zoom.allCases
        let columns = max(1, Layout(width: s.width, height: s.height).histogram.width - 2)
        let current = s.histogramZoom ?? s.snapshot.activity.fittingZoom(columns: columns)
        let i = (all.firstIndex(of: current) ?? 0) + (key == .char("+") ? -1 : 1)
        let next = all[max(0, min(all.count - 1, i))]
        s.histogramZoom = next
        s.message = "histogram \(next.label) (z to fit the log)"
    case .char("z"):
        s.histogramZoom = nil
        s.message = "histogram fits the log"
    case .char("t"):
        s.themeIndex = (s.themeIndex + 1) % max(1, s.themeNames.count)
        s.message = "theme: \(s.themeNames[s.themeIndex])"
        return [.theme(s.themeIndex)]
    case .char("a"):
        if let entity = entityUnderCursor(s, feed: feed) {
            if s.acknowledged.contains(entity) { s.acknowledged.remove(entity); s.message = "\(entity) shown again" }
            else { s.acknowledged.insert(entity); s.message = "\(entity) acknowledged: hidden for this session (a again to show)" }
            s.feedCursor = min(s.feedCursor, max(0, s.feed.count - 1))
        }
    default:
        break
    }
    return []
}

private func move(_ s: inout DashboardState, by n: Int, count: Int) {
    if s.focus == .feed {
        s.feedCursor = max(0, min(max(0, count - 1), s.feedCursor + n))
        if s.feedCursor < s.feedScroll { s.feedScroll = s.feedCursor }
        if s.feedCursor >= s.feedScroll + s.feedRows { s.feedScroll = s.feedCursor - s.feedRows + 1 }
    } else {
        s.offenderCursor = max(0, min(max(0, s.offenders.count - 1), s.offenderCursor + n))
    }
}

private func drillTarget(_ s: DashboardState, feed: [Anomaly]) -> DetectionEngine.EntityRequest? {
    switch s.focus {
    case .feed:
        guard s.feedCursor < feed.count else { return nil }
        let a = feed[s.feedCursor]
        if a.kind.isSourceScoped, let src = a.sourceIP { return .init(kind: .source, name: src) }
        if let u = a.user { return .init(kind: .user, name: u) }
        return a.sourceIP.map { .init(kind: .source, name: $0) }
    case .hosts:
        guard s.offenderCursor < s.snapshot.topHosts.count else { return nil }
        return .init(kind: .host, name: s.snapshot.topHosts[s.offenderCursor].name)
    case .sources:
        guard s.offenderCursor < s.snapshot.topSources.count else { return nil }
        return .init(kind: .source, name: s.snapshot.topSources[s.offenderCursor].name)
    case .users:
        guard s.offenderCursor < s.snapshot.topUsers.count else { return nil }
        return .init(kind: .user, name: s.snapshot.topUsers[s.offenderCursor].name)
    }
}

private func entityUnderCursor(_ s: DashboardState, feed: [Anomaly]) -> String? {
    guard let t = drillTarget(s, feed: feed) else { return nil }
    return "\(t.kind.rawValue) \(t.name)"
}

private func reduceFilter(_ s: inout DashboardState, key: Key) {
    switch key {
    case .enter: s.editingFilter = false; s.feedCursor = 0; s.feedScroll = 0; if !s.filter.isEmpty { s.search = s.filter }
    case .escape: s.editingFilter = false; s.filter = ""
    case .backspace: if !s.filter.isEmpty { s.filter.removeLast() }
    case .char(let c): if s.filter.count < 64, !c.isNewline { s.filter.append(c) }
    default: break
    }
}

private func reduceExportPrompt(_ s: inout DashboardState, key: Key) -> [Effect] {
    guard var name = s.exportPrompt else { return [] }
    switch key {
    case .enter:
        s.exportPrompt = nil
        let feed = s.feed
        let chosen = s.selected.isEmpty ? feed : feed.filter { s.selected.contains($0.id) }
        guard !name.isEmpty else { s.message = "export cancelled"; return [] }
        return [.export(path: name, anomalies: chosen)]
    case .escape: s.exportPrompt = nil; s.message = "export cancelled"
    case .backspace: if !name.isEmpty { name.removeLast() }; s.exportPrompt = name
    case .char(let c): if name.count < 200, !c.isNewline { name.append(c) }; s.exportPrompt = name
    default: break
    }
    return []
}
