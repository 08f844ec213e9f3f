import Testing
@testable import TriplineTUI
import TriplineEngine
import TriplineCore

@Suite struct ReducerTests {
    let now = RenderTests.now

    func press(_ s: inout DashboardState, _ keys: Key...) -> [Effect] {
        var out: [Effect] = []
        for k in keys { out += reduce(&s, key: k, now: now) }
        return out
    }

    @Test func movingAndDrillingDown() {
        var s = RenderTests.state(width: 80, height: 24)
        #expect(press(&s, .down, .char("j")).isEmpty)
        #expect(s.feedCursor == 2)
        _ = press(&s, .char("G"))
        #expect(s.feedCursor == 4)
        _ = press(&s, .char("g"))
        #expect(s.feedCursor == 0)
        let e = press(&s, .enter)
        #expect(e == [.drill(.init(kind: .source, name: "203.0.113.45"))], "a brute force drills into its source")
        #expect(s.view == .drill(.init(kind: .source, name: "203.0.113.45")))
        _ = press(&s, .escape)
        #expect(s.view == .main)
        _ = press(&s, .down, .enter)
        #expect(s.view == .drill(.init(kind: .user, name: "alice")), "success after failures drills into the user")
        _ = press(&s, .char("q"))
        #expect(s.view == .main, "q leaves a drill-down first")
        #expect(press(&s, .char("q")) == [.quit])
    }

    @Test func offendersPaneDrillsToo() {
        var s = RenderTests.state(width: 80, height: 24)
        _ = press(&s, .tab)
        #expect(s.focus == .sources)
        _ = press(&s, .down)
        #expect(press(&s, .enter) == [.drill(.init(kind: .source, name: "198.51.100.7"))])
        _ = press(&s, .escape, .tab)
        #expect(s.focus == .users)
        _ = press(&s, .backTab, .backTab)
        #expect(s.focus == .feed)
    }

    @Test func filterSeverityPauseAndMute() {
        var s = RenderTests.state(width: 80, height: 24)
        _ = press(&s, .char("/"), .char("1"), .char("9"), .char("8"), .enter)
        #expect(s.filter == "198" && s.feed.count == 1)
        _ = press(&s, .escape)
        #expect(s.filter.isEmpty && s.feed.count == 5)
        _ = press(&s, .char("s"), .char("s"))
        #expect(s.minSeverity == .high && s.feed.count == 3)
        _ = press(&s, .char("s"), .char("s"))
        #expect(s.minSeverity == .low)
        _ = press(&s, .char("p"))
        s.snapshot.anomalies.insert(RenderTests.anomaly(9, .bruteForce, 80, user: "x", source: "192.0.2.77", minute: 55), at: 0)
        #expect(s.feed.count == 5, "paused: the new anomaly is not shown")
        _ = press(&s, .char("p"))
        #expect(s.feed.count == 6)
        _ = press(&s, .char("a"))
        #expect(s.acknowledged == ["source 192.0.2.77"] && s.feed.count == 5)
    }

    @Test func selectAndExport() {
        var s = RenderTests.state(width: 80, height: 24)
        _ = press(&s, .char(" "), .down, .char(" "))
        #expect(s.selected == ["TL-1", "TL-3"])
        _ = press(&s, .char("e"))
        #expect(s.exportPrompt?.hasPrefix("tripline-export-20260305T120000") == true)
        _ = press(&s, .backspace, .backspace, .backspace, .backspace, .backspace)
        let e = press(&s, .char("x"), .enter)
        guard case .export(let path, let chosen)? = e.first, e.count == 1 else {
            Issue.record("Enter in the export prompt exports: \(e)")
            return
        }
        #expect(path == "tripline-export-20260305T120000x" && chosen.map(\.id) == ["TL-1", "TL-3"])
        // Nothing selected: everything shown.
        var t = RenderTests.state(width: 80, height: 24)
        _ = press(&t, .char("s"), .char("s"), .char("e"))
        let all = press(&t, .enter)
        #expect(all.count == 1)
        guard case .export(_, let chosen)? = all.first else {
            Issue.record("Enter in the export prompt exports: \(all)")
            return
        }
        #expect(chosen.count == 3)
    }

    @Test func helpRetrainAndThemes() {
        var s = RenderTests.state(width: 80, height: 24)
        s.themeNames = ["dark", "high-contrast", "light"]
        _ = press(&s, .char("?"))
        #expect(s.view == .help)
        _ = press(&s, .char("x"))
        #expect(s.view == .main)
        #expect(press(&s, .char("R")) == [.retrain])
        #expect(press(&s, .char("t")) == [.theme(1)])
        #expect(s.message == "theme: high-contrast")
        #expect(press(&s, .char("t"), .char("t")) == [.theme(2), .theme(0)])
        #expect(press(&s, .interrupt) == [.quit])
    }

    /// Paused, the feed keeps what it showed; an export takes exactly that, even once the
    /// live snapshot has moved on and no longer holds those anomalies.
    @Test func exportTakesThePausedFeedAsSeen() {
        var s = RenderTests.state(width: 80, height: 24)
        _ = press(&s, .char("s"), .char("s"), .char("p"))
        let shown = s.feed.map(\.id)
        var newer = EngineSnapshot()
        newer.anomalies = [RenderTests.anomaly(9, .bruteForce, 95, user: "x", source: "192.0.2.200", minute: 59)]
        newer.version = 99
        _ = reduce(&s, .snapshot(newer), now: now)
        #expect(s.feed.map(\.id) == shown)
        _ = press(&s, .char("e"))
        let e = press(&s, .enter)
        guard case .export(_, let chosen)? = e.first else {
            Issue.record("no export: \(e)")
            return
        }
        #expect(chosen.map(\.id) == shown)
    }

    /// Engine answers are actions: a drill-down answer for what is on screen is shown, a late
    /// one about another entity is not; a snapshot that shrinks the feed keeps the cursor on it.
    @Test func engineAnswersGoThroughReduce() {
        var s = RenderTests.state(width: 80, height: 24)
        _ = press(&s, .enter)
        guard case .drill(let req) = s.view else {
            Issue.record("Enter drills down")
            return
        }
        let other = EntityDetails(kind: req.kind, name: "someone-else", anomalies: [], recentEvents: [], baseline: .noModel, timeline: .empty)
        _ = reduce(&s, .details(other), now: now)
        #expect(s.details == nil)
        let mine = EntityDetails(kind: req.kind, name: req.name, anomalies: [], recentEvents: [], baseline: .noModel, timeline: .empty)
        _ = reduce(&s, .details(mine), now: now)
        #expect(s.details?.name == req.name)
        _ = press(&s, .escape, .char("G"))
        #expect(s.feedCursor == s.feed.count - 1 && s.feedCursor > 0)
        _ = reduce(&s, .snapshot(EngineSnapshot()), now: now)
        #expect(s.feedCursor == 0)
        _ = reduce(&s, .exportFailed("disk full"), now: now)
        #expect(s.message == "export failed: disk full" && s.messageIsError)
        _ = reduce(&s, .messageExpired, now: now)
        #expect(s.message == nil)
    }
}

@Suite struct HistogramZoomTests {
    @Test func plusAndMinusStepTheBucketAndZFitsAgain() {
        var s = DashboardState()
        let now = Timestamp(year: 2026, month: 3, day: 5, hour: 12, minute: 0, second: 0)
        // Four days of events: at 80 columns the pane fits them in six-hour buckets.
        for h in 0..<96 { s.snapshot.activity.addEvent(at: Timestamp(microseconds: now.microseconds + Int64(h) * 3_600_000_000)) }
        s.snapshot.activity.settle()
        #expect(s.snapshot.activity.fittingZoom(columns: 30) == .sixHours)
        _ = reduce(&s, key: .char("+"), now: now)
        #expect(s.histogramZoom == .hour)
        _ = reduce(&s, key: .char("+"), now: now)
        _ = reduce(&s, key: .char("+"), now: now)
        _ = reduce(&s, key: .char("+"), now: now)
        _ = reduce(&s, key: .char("+"), now: now)
        #expect(s.histogramZoom == .minute) // stops at the finest
        for _ in 0..<10 { _ = reduce(&s, key: .char("-"), now: now) }
        #expect(s.histogramZoom == .week)
        #expect(s.message?.contains("per week") == true)
        _ = reduce(&s, key: .char("z"), now: now)
        #expect(s.histogramZoom == nil)
        let screen = Renderer(unicode: true, now: now).render(s).text
        #expect(screen.contains("per 6 h"))
    }
}
