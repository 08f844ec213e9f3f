import Foundation
import TriplineCore
import TriplineEngine

/// Draws a ``DashboardState`` into a ``ScreenBuffer``: pure, so tests compare the text.
public struct Renderer: Sendable {
    /// Box-drawing and block characters (UTF-8 locale) or ASCII.
    public var unicode: Bool
    /// "Now", for ages ("trained 2 h ago").
    public var now: Timestamp

    public init(unicode: Bool, now: Timestamp) {
        self.unicode = unicode
        self.now = now
    }

    public func render(_ s: DashboardState) -> ScreenBuffer {
        var b = ScreenBuffer(width: s.width, height: s.height)
        let layout = Layout(width: s.width, height: s.height)
        if layout.isTooSmall {
            let lines = ["terminal too small", "have \(s.width)×\(s.height), need \(Layout.minimumWidth)×\(Layout.minimumHeight)",
                         "enlarge the window, or press q"]
            for (i, l) in lines.enumerated() {
                let w = l.count
                b.put(l, x: max(0, (s.width - w) / 2), y: max(0, s.height / 2 - 1 + i), role: i == 0 ? .error : .dim)
            }
            return unicode ? b : Renderer.asciified(b)
        }
        header(&b, s, layout.header)
        switch s.view {
        case .main, .help:
            feed(&b, s, layout.feed)
            histogram(&b, s, layout.histogram)
            offenders(&b, s, layout.offenders)
            stats(&b, s, layout.stats)
            if s.view == .help { help(&b, s) }
        case .drill(let req):
            drill(&b, s, req, Layout.Rect(x: 0, y: 1, width: s.width, height: s.height - 2))
        }
        statusLine(&b, s, layout.status)
        return unicode ? b : Renderer.asciified(b)
    }

    static let asciiFor: [Unicode.Scalar: Unicode.Scalar] = ["·": "-", "…": ".", "⋯": "~", "≥": ">", "→": ">", "█": "_", "×": "x", "↑": "^", "↓": "v", "–": "-"]

    /// Without a UTF-8 locale, every cell is ASCII: chrome is transliterated, anything else is `?`.
    static func asciified(_ b: ScreenBuffer) -> ScreenBuffer {
        var out = b
        for y in 0..<b.height {
            for x in 0..<b.width {
                let c = b.cell(x: x, y: y)
                if c.scalar.value > 0x7E {
                    out.set(x: x, y: y, scalar: c.continuation ? " " : (asciiFor[c.scalar] ?? "?"))
                }
            }
        }
        return out
    }

    // MARK: - Pieces

    func box(_ b: inout ScreenBuffer, _ r: Layout.Rect, title: String, focused: Bool) {
        guard r.width >= 2, r.height >= 2 else { return }
        let role: Role = focused ? .focus : .border
        let (h, v, tl, tr, bl, br) = unicode ? ("─", "│", "┌", "┐", "└", "┘") : ("-", "|", "+", "+", "+", "+")
        b.put(tl + String(repeating: h, count: r.width - 2) + tr, x: r.x, y: r.y, role: role)
        for row in (r.y + 1)..<(r.y + r.height - 1) {
            b.put(v, x: r.x, y: row, role: role)
            b.put(v, x: r.x + r.width - 1, y: row, role: role)
        }
        b.put(bl + String(repeating: h, count: r.width - 2) + br, x: r.x, y: r.y + r.height - 1, role: role)
        b.put(" \(title) ", x: r.x + 2, y: r.y, maxWidth: r.width - 4, role: focused ? .focus : .header, bold: true)
    }

    static func role(_ s: Severity) -> Role {
        switch s {
        case .low: return .low
        case .medium: return .medium
        case .high: return .high
        case .critical: return .critical
        }
    }

    func header(_ b: inout ScreenBuffer, _ s: DashboardState, _ r: Layout.Rect) {
        b.fill(x: 0, y: r.y, width: r.width, height: 1, role: .title)
        var text = " Tripline"
        text += "  " + (s.sourceLabel.isEmpty ? "" : TerminalSafe.sanitize(s.sourceLabel))
        let st = s.snapshot.stats
        text += "  events \(Renderer.count(st.events))  anomalies \(Renderer.count(st.anomalies))"
        if s.frozen != nil { text += "  [PAUSED]" }
        if s.minSeverity > .low { text += "  ≥\(s.minSeverity.rawValue)" }
        if !s.filter.isEmpty { text += "  filter: \(TerminalSafe.sanitize(s.filter))" }
        if !s.acknowledged.isEmpty { text += "  muted \(s.acknowledged.count)" }
        if st.replaying { text += "  replay" }
        b.put(text, x: 0, y: r.y, maxWidth: r.width, role: .title, bold: true)
    }

    struct Columns {
        var time: Int, sev: Int, kind: Int, user: Int, source: Int, host: Int, score: Int
        var wide: Bool
        /// The reason's columns (the rest of the line).
        var reason: Int
        /// Every column and the gaps after them (the marker column first).
        var total: Int { 1 + time + sev + kind + user + source + host + score + reason + (host > 0 ? 8 : 7) }
    }

    /// Columns of `text` on screen.
    static func cols(_ text: String) -> Int { text.unicodeScalars.reduce(0) { $0 + ScreenBuffer.columns($1) } }

    /// The feed's columns for `items` in `width` columns, by priority: time, severity, address
    /// and user keep their width first (addresses up to an IPv6 address's 39 columns, names up
    /// to 16), then the host (when there are several), then the kind, and the reason takes the
    /// rest. With `natural`, every column as wide as its longest text (for scrolling with ←/→).
    func columns(_ width: Int, items: [Anomaly] = [], hosts: Bool = false, natural: Bool = false) -> Columns {
        let wide = width >= 120
        var c = Columns(time: wide ? 14 : (width >= 98 ? 11 : 5), sev: wide ? 8 : 4, kind: wide ? 22 : 16, user: 0, source: 0,
                        host: 0, score: wide ? 5 : 3, wide: wide, reason: 0)
        let longest: (KeyPath<Anomaly, String?>) -> Int = { path in
            items.reduce(0) { max($0, Renderer.cols(TerminalSafe.distinguishable($1[keyPath: path] ?? "-"))) }
        }
        if natural {
            c.time = 14; c.sev = 8; c.score = 5; c.kind = 22; c.wide = true
            c.user = min(64, max(4, longest(\.user)))
            c.source = min(64, max(6, longest(\.sourceIP)))
            c.host = hosts ? min(64, max(4, longest(\.host))) : 0
            c.reason = min(1_000, items.reduce(0) { max($0, Renderer.cols(TerminalSafe.sanitize($1.reasons.first ?? ""))) })
            return c
        }
        c.user = min(16, max(8, longest(\.user)))
        c.source = min(39, max(15, longest(\.sourceIP)))
        c.host = hosts ? min(16, max(6, longest(\.host))) : 0
        // Shrink what matters least until a reason of ten columns fits, then the reason.
        var over = c.total + 10 - width
        func shrink(_ v: inout Int, to floor: Int) {
            guard over > 0 else { return }
            let take = min(over, max(0, v - floor))
            v -= take; over -= take
        }
        shrink(&c.kind, to: 8)
        shrink(&c.host, to: 6)
        over -= 10 // no reason at all
        if over > 0 {
            shrink(&c.user, to: 6)
            shrink(&c.source, to: 7)
            shrink(&c.kind, to: 4)
        }
        c.reason = max(0, width - (c.total - c.reason))
        return c
    }

    /// When an anomaly started, as wide as the column allows: `MM-DD HH:MM:SS`, `MM-DD HH:MM`, or
    /// in five columns `HH:MM` on the day of the newest event and `MM-DD` before it, so rows from
    /// other days never pass for today's.
    static func startText(_ t: Timestamp, width: Int, newest: Timestamp?) -> String {
        let iso = t.iso8601  // 2026-03-05T01:11:05.123456Z
        let day = iso.dropFirst(5).prefix(5), minute = iso.dropFirst(11).prefix(5), second = iso.dropFirst(11).prefix(8)
        if width >= 14 { return "\(day) \(second)" }
        if width >= 11 { return "\(day) \(minute)" }
        if let newest, newest.iso8601.prefix(10) != iso.prefix(10) { return String(day) }
        return String(minute)
    }

    static func sevWord(_ s: Severity, wide: Bool) -> String {
        if wide { return s.rawValue.uppercased() }
        switch s {
        case .low: return "LOW"
        case .medium: return "MED"
        case .high: return "HIGH"
        case .critical: return "CRIT"
        }
    }

    func feed(_ b: inout ScreenBuffer, _ s: DashboardState, _ r: Layout.Rect) {
        let items = s.feed
        let st = s.snapshot.stats
        let inner = r.width - 2
        let rows = r.height - 3
        let start = min(s.feedScroll, max(0, items.count - 1))
        let shown = Array(items.dropFirst(start).prefix(max(0, rows)))
        // Scrolled right (→): each column as wide as its longest text, the window moved along.
        let natural = s.feedShift > 0
        let c = columns(inner, items: natural ? shown : items, hosts: s.manyHosts, natural: natural)
        let lineWidth = natural ? max(inner, c.total) : inner
        let shift = min(s.feedShift, max(0, lineWidth - inner))
        // When the feed holds only the newest of more incidents, it says so.
        let of = st.feedKept > 0 && st.anomalies > st.feedKept ? " (newest \(Renderer.count(st.feedKept)) of \(Renderer.count(st.anomalies)))" : ""
        box(&b, r, title: "Anomalies \(items.count)" + of + (s.selected.isEmpty ? "" : " · \(s.selected.count) selected") + " · newest first"
                + (shift > 0 ? " · → \(shift) (← back)" : ""),
            focused: s.focus == .feed)
        guard inner > 0, rows >= 0 else { return }
        var line = ScreenBuffer(width: lineWidth, height: 1 + max(0, rows))
        var x = 0
        func col(_ text: String, _ w: Int, y: Int, role: Role = .normal, bold: Bool = false) {
            guard w > 0 else { return }
            line.put(text, x: x, y: y, maxWidth: w, role: role, bold: bold)
            x += w + 1
        }
        // Column heads.
        col(" ", 1, y: 0, role: .header)
        col("TIME", c.time, y: 0, role: .header)
        col("SEV", c.sev, y: 0, role: .header)
        col("KIND", c.kind, y: 0, role: .header)
        col("USER", c.user, y: 0, role: .header)
        col("SOURCE", c.source, y: 0, role: .header)
        col("HOST", c.host, y: 0, role: .header)
        col(c.score >= 5 ? "SCORE" : "SCR", c.score, y: 0, role: .header)
        line.put("REASON", x: x, y: 0, maxWidth: max(0, lineWidth - x), role: .header)
        b.blit(line, fromX: shift, fromY: 0, x: r.x + 1, y: r.y + 1, count: inner)
        if items.isEmpty {
            b.put(s.snapshot.stats.events == 0 ? "waiting for events…" : "no anomalies" + (s.filter.isEmpty && s.minSeverity == .low ? " so far" : " match the filter"),
                  x: r.x + 2, y: r.y + 2, maxWidth: inner - 2, role: .dim)
            return
        }
        for (i, a) in shown.enumerated() {
            let y = 1 + i
            x = 0
            let sevRole = Renderer.role(a.severity)
            col(s.selected.contains(a.id) ? "*" : " ", 1, y: y, role: .selected, bold: true)
            col(Renderer.startText(a.start, width: c.time, newest: s.snapshot.stats.lastEvent), c.time, y: y)
            col(Renderer.sevWord(a.severity, wide: c.wide), c.sev, y: y, role: sevRole, bold: a.severity >= .high)
            col(c.kind >= 22 ? a.kind.rawValue : Renderer.shortKind(a.kind), c.kind, y: y)
            col(TerminalSafe.distinguishable(a.user ?? "-"), c.user, y: y)
            col(TerminalSafe.distinguishable(a.sourceIP ?? "-"), c.source, y: y)
            col(TerminalSafe.distinguishable(a.host ?? "-"), c.host, y: y)
            col(String(Int(a.score.rounded())), c.score, y: y)
            line.put(TerminalSafe.sanitize(a.reasons.first ?? ""), x: x, y: y, maxWidth: max(0, lineWidth - x), role: .dim)
            b.blit(line, fromX: shift, fromY: y, x: r.x + 1, y: r.y + 1 + y, count: inner)
            if s.focus == .feed, start + i == s.feedCursor {
                b.restyle(x: r.x + 1, y: r.y + 1 + y, width: inner, role: .cursor, reverse: true)
            }
        }
    }

    /// The histogram pane: incidents since the start by severity, as bars with their numbers,
    /// then incidents over log time in buckets sized to the span in view (the log's own span
    /// unless zoomed with + and -), each column coloured by its worst severity, over the volume
    /// of events per bucket as a faint baseline, and the time axis.
    func histogram(_ b: inout ScreenBuffer, _ s: DashboardState, _ r: Layout.Rect) {
        let inner = r.width - 2, rows = r.height - 2
        let activity = s.snapshot.activity
        let zoom = s.histogramZoom ?? activity.fittingZoom(columns: inner)
        // As many buckets as the events read span (never days before the first), each as wide
        // as the pane allows; a zoom finer than the log shows its last `inner` buckets.
        let count = max(1, min(max(0, inner), activity.bucketsSpanned(zoom)))
        let columnsPerBucket = max(1, max(0, inner) / count)
        let spanText = Renderer.span(zoom.seconds * Int64(count) * 1_000_000)
        let buckets = activity.lastEvent.map { activity.buckets(zoom, count: inner > 0 ? count : 0, ending: $0) } ?? []
        let mostIncidents = buckets.map(\.counts.total).max() ?? 0
        let tail = " · \(spanText)" + (mostIncidents > 0 ? " · max \(mostIncidents)" : "") + (s.histogramZoom == nil ? "" : " · zoomed")
        let long = "Incidents \(zoom.label)" + tail
        box(&b, r, title: long.count <= r.width - 6 ? long : zoom.label + tail, focused: false)
        guard rows > 0, inner > 0 else { return }
        // Counts by severity since the start: four bars when there is room, else one line.
        let bySeverity = s.snapshot.stats.anomaliesBySeverity
        let order = Severity.allCases.reversed()
        var y = r.y + 1
        if rows >= 7 {
            let most = max(1, order.map { bySeverity[$0] ?? 0 }.max() ?? 0)
            let numberWidth = max(1, String(most).count)
            for sev in order {
                let n = bySeverity[sev] ?? 0
                let word = Renderer.sevWord(sev, wide: false)
                let label = word + String(repeating: " ", count: 5 - word.count) + String(repeating: " ", count: numberWidth - String(n).count) + String(n) + " "
                b.put(label, x: r.x + 1, y: y, maxWidth: inner, role: Renderer.role(sev))
                let room = inner - label.count
                if room > 0 && n > 0 {
                    let len = max(1, Int((Double(n) / Double(most) * Double(room)).rounded()))
                    b.put(String(repeating: unicode ? "■" : "#", count: min(room, len)), x: r.x + 1 + label.count, y: y, role: Renderer.role(sev))
                }
                y += 1
            }
        } else {
            var x = r.x + 1
            for sev in order {
                let piece = "\(Renderer.sevWord(sev, wide: false)) \(bySeverity[sev] ?? 0)  "
                b.put(piece, x: x, y: y, maxWidth: max(0, r.x + 1 + inner - x), role: Renderer.role(sev))
                x += piece.count
            }
            y += 1
        }
        let chartRows = r.y + r.height - 2 - y // above the axis row
        guard activity.lastEvent != nil else {
            if chartRows > 0 { b.put("no events yet", x: r.x + 2, y: y, maxWidth: inner - 2, role: .dim) }
            return
        }
        if chartRows > 0 {
            let eighths = unicode ? [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"] : [" ", "_", "_", ".", ".", "-", "=", "=", "#"]
            let volumeRow = chartRows >= 2
            let barRows = chartRows - (volumeRow ? 1 : 0)
            let mostIncidents = max(1, mostIncidents)
            let mostEvents = max(1, buckets.map(\.counts.events).max() ?? 0)
            let bottom = r.y + r.height - 3
            let w = columnsPerBucket
            for (i, bucket) in buckets.enumerated() {
                let x = r.x + 1 + i * w
                var barBottom = bottom
                if volumeRow {
                    let e = bucket.counts.events
                    let level = e == 0 ? 0 : max(1, Int((Double(e) / Double(mostEvents) * 8).rounded()))
                    b.put(String(repeating: eighths[min(8, level)], count: w), x: x, y: bottom, role: .dim)
                    barBottom -= 1
                }
                let n = bucket.counts.total
                guard n > 0, let worst = bucket.counts.worst else { continue }
                var height = max(1, Int((Double(n) / Double(mostIncidents) * Double(barRows * 8)).rounded()))
                var row = barBottom
                while height > 0 && row > barBottom - barRows {
                    b.put(String(repeating: eighths[min(8, height)], count: w), x: x, y: row, role: Renderer.role(worst))
                    height -= 8
                    row -= 1
                }
            }
        }
        // The time axis: the first bucket's start and the last one's, in the zoom's terms.
        if let first = buckets.first, let last = buckets.last {
            let left = Renderer.axisLabel(first.start, zoom), right = Renderer.axisLabel(last.start, zoom)
            let axisY = r.y + r.height - 2
            b.put(left, x: r.x + 1, y: axisY, maxWidth: inner, role: .dim)
            let end = min(inner, buckets.count * columnsPerBucket)
            if left.count + right.count + 1 <= end { b.put(right, x: r.x + 1 + end - right.count, y: axisY, role: .dim) }
        }
    }

    /// A bucket's start on the histogram's axis: the time of day for minutes, the day and hour
    /// for hours, the date for days and weeks (UTC, as the feed).
    static func axisLabel(_ seconds: Int64, _ zoom: ActivityHistogram.Zoom) -> String {
        let t = Timestamp(microseconds: seconds * 1_000_000).iso8601 // 2026-12-03T07:15:00Z
        switch zoom {
        case .minute, .fiveMinutes, .quarterHour: return String(t.dropFirst(11).prefix(5))
        case .hour, .sixHours: return String(t.dropFirst(5).prefix(8)).replacingOccurrences(of: "T", with: " ") + "h"
        case .day, .week: return String(t.prefix(10))
        }
    }

    func offenders(_ b: inout ScreenBuffer, _ s: DashboardState, _ r: Layout.Rect) {
        let focused = s.focus == .sources || s.focus == .users || s.focus == .hosts
        box(&b, r, title: "Top offenders", focused: focused)
        let inner = r.width - 2
        let rows = r.height - 2
        var lists = [("SOURCES", s.snapshot.topSources, DashboardState.Pane.sources), ("USERS", s.snapshot.topUsers, DashboardState.Pane.users)]
        if s.manyHosts { lists.append(("HOSTS", s.snapshot.topHosts, DashboardState.Pane.hosts)) }
        let share = max(1, rows / lists.count)
        var y = r.y + 1
        for (label, list, pane) in lists {
            guard y < r.y + r.height - 1 else { break }
            b.put(label, x: r.x + 1, y: y, maxWidth: inner, role: s.focus == pane ? .focus : .header, bold: true)
            y += 1
            // The one in focus shows its cursor's row, scrolled as far as needed.
            let first = s.focus == pane ? max(0, s.offenderCursor - (share - 2)) : 0
            for (i, o) in list.enumerated().dropFirst(first).prefix(share - 1) {
                guard y < r.y + r.height - 1 else { break }
                // The name whole first (an IPv4 address is 15 columns): the severity word gives
                // way, then the count (the name then takes the severity's colour), and only then
                // is the name cut.
                let count = String(o.count)
                let name = TerminalSafe.distinguishable(o.name)
                let sev = Renderer.sevWord(o.worst, wide: false)
                let nameCols = Renderer.cols(name)
                if nameCols + 1 + sev.count + 1 + count.count <= inner {
                    b.put(name, x: r.x + 1, y: y, maxWidth: inner)
                    b.put(sev, x: r.x + r.width - 2 - count.count - 5, y: y, role: Renderer.role(o.worst))
                    b.put(count, x: r.x + r.width - 1 - count.count, y: y)
                } else if nameCols + 1 + count.count <= inner {
                    b.put(name, x: r.x + 1, y: y, maxWidth: inner, role: Renderer.role(o.worst))
                    b.put(count, x: r.x + r.width - 1 - count.count, y: y)
                } else {
                    b.put(name, x: r.x + 1, y: y, maxWidth: inner, role: Renderer.role(o.worst))
                }
                if s.focus == pane, i == s.offenderCursor { b.restyle(x: r.x + 1, y: y, width: inner, role: .cursor, reverse: true) }
                y += 1
            }
            if list.isEmpty, y < r.y + r.height - 1 { b.put("none", x: r.x + 2, y: y, role: .dim); y += 1 }
        }
    }

    func stats(_ b: inout ScreenBuffer, _ s: DashboardState, _ r: Layout.Rect) {
        box(&b, r, title: "Model", focused: false)
        var lines: [(String, Role)] = []
        if let m = s.snapshot.model {
            lines.append(("v\(m.version), trained \(Renderer.age(m.createdAt, now: now))", .normal))
            lines.append(("on \(Renderer.count(m.trainedEvents)) events, \(m.users) users", .dim))
            lines.append(("contam. \(m.contamination)" + (m.threshold.map { String(format: ", thr %.2f", $0) } ?? ""), .dim))
        } else if let p = s.snapshot.modelProblem, p.damaged {
            lines.append(("model unusable: rules only", .error))
            lines.append((TerminalSafe.sanitize(p.brief), .error))
            lines.append(("press R to train a new one", .dim))
        } else {
            lines.append(("no model: rules only", .medium))
            lines.append(("press R to train one", .dim))
        }
        switch s.snapshot.retrain {
        case .idle: break
        case .running(_, let n): lines.append(("retraining… \(Renderer.count(n)) events", .medium))
        case .done(let n, let secs, let left, let incidents):
            lines.append((String(format: "retrained: %@ events, %.1f s", Renderer.count(n), secs), .normal))
            if incidents > 0 { lines.append(("left out \(Renderer.count(left)) in \(Renderer.count(incidents)) incidents", .dim)) }
        case .failed(let why): lines.append(("retrain failed: \(TerminalSafe.sanitize(why))", .error))
        }
        let st = s.snapshot.stats
        lines.append(("events \(Renderer.count(st.events)), \(Renderer.rate(st.eventsPerSecond))/s", .normal))
        // Incidents since the start, and how many of the worst severity (the histogram has all four).
        let worst = Severity.allCases.reversed().filter { (st.anomaliesBySeverity[$0] ?? 0) > 0 }.prefix(1)
            .map { "\(Renderer.count(st.anomaliesBySeverity[$0] ?? 0)) \(Renderer.sevWord($0, wide: false).lowercased())" }
        lines.append(("anomalies \(Renderer.count(st.anomalies))" + (worst.isEmpty ? "" : " (\(worst[0]))"), .normal))
        lines.append(("skipped \(Renderer.count(st.linesSkipped)), files \(st.files.count)", .normal))
        lines.append(st.inputEnded ? ("input ended", .medium) : ("lag \(Renderer.bytes(st.lagBytes))", .normal))
        if let last = st.lastEvent { lines.append(("last \(last.iso8601.prefix(16).replacingOccurrences(of: "T", with: " "))", .dim)) }
        if let a = s.alertLine { lines.append((TerminalSafe.sanitize(a.text), a.failing ? .error : .dim)) }
        for (i, (text, role)) in lines.prefix(max(0, r.height - 2)).enumerated() {
            b.put(text, x: r.x + 1, y: r.y + 1 + i, maxWidth: r.width - 2, role: role)
        }
    }

    func statusLine(_ b: inout ScreenBuffer, _ s: DashboardState, _ r: Layout.Rect) {
        b.fill(x: 0, y: r.y, width: r.width, height: 1, role: .status)
        if let p = s.exportPrompt {
            b.put(" export to: \(TerminalSafe.sanitize(p))█  (Enter to write, Esc to cancel)", x: 0, y: r.y, maxWidth: r.width, role: .status, bold: true)
        } else if s.editingFilter {
            b.put(" filter (user, IP, kind, host): \(TerminalSafe.sanitize(s.filter))█  (Enter to apply, Esc to clear)", x: 0, y: r.y, maxWidth: r.width, role: .status, bold: true)
        } else if let m = s.message {
            b.put(" " + TerminalSafe.sanitize(m), x: 0, y: r.y, maxWidth: r.width, role: s.messageIsError ? .error : .message, bold: true)
        } else {
            let hints: String
            switch s.view {
            case .drill: hints = " Esc back · j/k scroll · q back"
            default: hints = " q quit · ? help · Tab pane · ↑↓ move · Enter drill · / filter · s severity · p pause · Space select · e export · R retrain · t theme · a mute"
            }
            b.put(unicode ? hints : hints.replacingOccurrences(of: "↑↓", with: "j/k"), x: 0, y: r.y, maxWidth: r.width, role: .status)
        }
    }

    static let helpLines: [String] = [
        "q            quit (or leave a drill-down)",
        "?            this help",
        "Tab/S-Tab    move between the feed and the offenders",
        "↑ ↓ j k      move · PgUp PgDn page · g G top, bottom",
        "Enter        drill down into the user, source or host",
        "Esc          back · clears the filter",
        "/            filter by user, IP, kind or host",
        "n N          next, previous row matching the last filter",
        "← →          scroll the feed sideways (the rest of each line)",
        "s            minimum severity (low → critical)",
        "p            pause the feed (new anomalies still counted)",
        "Space        select or unselect an anomaly",
        "e            export selected (or all shown) to JSON",
        "R            retrain the model in the background",
        "t            next theme",
        "+ - z        histogram: finer, coarser buckets, fit the log",
        "a            acknowledge (mute) the entity for this session",
        "Ctrl-L       redraw",
    ]

    func help(_ b: inout ScreenBuffer, _ s: DashboardState) {
        let w = min(s.width - 4, 64), h = min(s.height - 2, Renderer.helpLines.count + 4)
        let r = Layout.Rect(x: (s.width - w) / 2, y: max(1, (s.height - h) / 2), width: w, height: h)
        b.fill(x: r.x, y: r.y, width: r.width, height: r.height, role: .help)
        box(&b, r, title: "Keys", focused: true)
        for (i, l) in Renderer.helpLines.prefix(h - 4).enumerated() {
            b.put(unicode ? l : l.replacingOccurrences(of: "↑ ↓", with: "up dn"), x: r.x + 2, y: r.y + 1 + i, maxWidth: w - 4, role: .help)
        }
        b.put("any key closes", x: r.x + 2, y: r.y + h - 2, maxWidth: w - 4, role: .dim)
    }

    func drill(_ b: inout ScreenBuffer, _ s: DashboardState, _ req: DetectionEngine.EntityRequest, _ r: Layout.Rect) {
        box(&b, r, title: "\(req.kind.rawValue) \(TerminalSafe.distinguishable(req.name))", focused: true)
        guard let d = s.details, d.name == req.name else {
            b.put("loading…", x: r.x + 2, y: r.y + 1, role: .dim)
            return
        }
        var lines: [(String, Role, Bool)] = []
        lines.append(("ANOMALIES (\(d.anomalies.count))", .header, true))
        for a in d.anomalies.prefix(50) {
            lines.append(("\(Renderer.sevWord(a.severity, wide: true)) \(Int(a.score.rounded())) \(a.kind.rawValue) \(a.start.iso8601.prefix(19)) → \(a.lastSeen.iso8601.dropFirst(11).prefix(8)) · \(a.eventCount) events · \(a.techniques.joined(separator: ", "))", Renderer.role(a.severity), true))
            // Reasons wrap (the analyst reads every word of them); the rest is cut with a mark.
            for reason in a.reasons {
                for l in Renderer.wrap(TerminalSafe.sanitize(reason), width: r.width - 2, first: "    ", rest: "      ") { lines.append((l, .normal, false)) }
            }
            if !a.evidence.isEmpty { lines.append(("    evidence: " + TerminalSafe.sanitize(a.evidence.prefix(5).map(\.description).joined(separator: ", ")) + (a.eventCount > 5 ? ", …" : ""), .dim, false)) }
        }
        lines.append(("", .normal, false))
        let spark = unicode ? ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"] : ["_", ".", "-", "=", "#", "#", "#", "#"]
        let tl = d.timeline
        if tl.counts.isEmpty {
            lines.append(("TIMELINE", .header, true))
            lines.append(("  nothing seen in the recent events kept", .dim, false))
        } else {
            let mx = max(1, tl.counts.max() ?? 0)
            let line = tl.counts.map { $0 == 0 ? " " : spark[min(7, $0 * 7 / mx)] }.joined()
            func when(_ t: Timestamp) -> String { t.iso8601.dropFirst(5).prefix(11).replacingOccurrences(of: "T", with: " ") }
            let mark = unicode ? "▲" : "^"
            let marked = tl.worst.contains { $0 != nil }
            lines.append(("TIMELINE \(when(tl.from)) → \(when(tl.to)), events per \(Renderer.span(tl.bucket)), max \(mx)" + (marked ? ", \(mark) incident" : ""), .header, true))
            lines.append(("[" + line + "]", .medium, false))
            if marked {
                let worst = tl.worst.compactMap { $0 }.max() ?? .low
                lines.append((" " + tl.worst.map { $0 == nil ? " " : mark }.joined(), Renderer.role(worst), true))
            }
        }
        lines.append(("", .normal, false))
        lines.append(("BASELINE", .header, true))
        for l in d.baseline.lines(noModel: "no model yet: press R to train one") { lines.append(("  " + TerminalSafe.sanitize(l), .normal, false)) }
        lines.append(("", .normal, false))
        lines.append(("RECENT EVENTS (\(d.recentEvents.count), newest first)", .header, true))
        for e in d.recentEvents { lines.append(("  " + TerminalSafe.sanitize(Renderer.logLine(e)), .dim, false)) }
        let rows = r.height - 2
        let start = min(s.drillScroll, max(0, lines.count - rows))
        for (i, (text, role, bold)) in lines.dropFirst(start).prefix(rows).enumerated() {
            b.put(text, x: r.x + 1, y: r.y + 1 + i, maxWidth: r.width - 2, role: role, bold: bold)
        }
    }

    // MARK: - Formatting

    /// A bucket's length in words: "1 min", "25 min", "3 h", "2 days".
    static func span(_ us: Int64) -> String {
        let minutes = max(1, (us + 59_999_999) / 60_000_000)
        if minutes < 120 { return "\(minutes) min" }
        let hours = (minutes + 59) / 60
        return hours < 72 ? "\(hours) h" : "\((hours + 23) / 24) days"
    }

    /// `text` in lines of at most `width` columns, broken between words (a word longer than a
    /// line is broken where it must), the first line led by `first` and the others by `rest`.
    static func wrap(_ text: String, width: Int, first: String, rest: String) -> [String] {
        func cols<S: StringProtocol>(_ s: S) -> Int { s.unicodeScalars.reduce(0) { $0 + ScreenBuffer.columns($1) } }
        let lead = (cols(first), cols(rest))
        guard width > max(lead.0, lead.1) + 1 else { return [first + text] }
        var out: [String] = []
        var line = first, used = lead.0, empty = true
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            var w = word
            if !empty, used + 1 + cols(w) <= width { line += " " + w; used += 1 + cols(w); continue }
            if empty, used + cols(w) <= width { line += w; used += cols(w); empty = false; continue }
            if !empty { out.append(line); line = rest; used = lead.1 }
            // A word longer than a line: as much as fits, then the rest on the next lines.
            while used + cols(w) > width {
                var head = Substring(""), n = 0
                for ch in w {
                    let c = cols(String(ch))
                    if used + n + c > width { break }
                    head.append(ch); n += c
                }
                if head.isEmpty { break }
                out.append(line + head)
                w = w.dropFirst(head.count)
                line = rest; used = lead.1
            }
            line += w; used += cols(w); empty = w.isEmpty
        }
        if !empty || out.isEmpty { out.append(line) }
        return out
    }


    /// Kind names that fit 16 columns.
    static func shortKind(_ k: AnomalyKind) -> String {
        switch k {
        case .bruteForce: return "brute force"
        case .slowBruteForce: return "slow brute force"
        case .passwordSpraying: return "password spray"
        case .userEnumeration: return "user enumeration"
        case .successAfterFailures: return "success/failures"
        case .accountTakeover: return "account takeover"
        case .privilegeEscalation: return "privilege escal."
        case .serviceAccountMisuse: return "service misuse"
        case .bulkDataAccess: return "bulk data access"
        case .reconnaissance: return "reconnaissance"
        case .unusualActivity: return "unusual activity"
        }
    }

    static func count(_ n: Int) -> String {
        if n >= 10_000_000 { return String(format: "%.0fM", Double(n) / 1e6) }
        if n >= 1_000_000 { return String(format: "%.1fM", Double(n) / 1e6) }
        if n >= 10_000 { return String(format: "%.0fk", Double(n) / 1e3) }
        return String(n)
    }

    static func rate(_ r: Double) -> String {
        r >= 1000 ? String(format: "%.1fk", r / 1000) : String(format: "%.0f", r)
    }

    static func bytes(_ n: Int64) -> String {
        if n >= 1 << 30 { return String(format: "%.1f GB", Double(n) / Double(1 << 30)) }
        if n >= 1 << 20 { return String(format: "%.1f MB", Double(n) / Double(1 << 20)) }
        if n >= 1 << 10 { return String(format: "%.0f KB", Double(n) / 1024) }
        return "\(n) B"
    }

    static func age(_ iso: String, now: Timestamp) -> String {
        guard let t = Timestamp(iso8601: iso) else { return iso }
        let secs = max(0, (now.microseconds - t.microseconds) / 1_000_000)
        if secs < 60 { return "just now" }
        if secs < 3600 { return "\(secs / 60) min ago" }
        if secs < 86_400 * 2 { return "\(secs / 3600) h ago" }
        return "\(secs / 86_400) days ago"
    }

    /// An event as a log line: time, host, program[pid]: message.
    static func logLine(_ e: LogEvent) -> String {
        "\(e.timestamp.iso8601.prefix(19)) \(e.host ?? "-") \(e.program ?? "-")\(e.pid.map { "[\($0)]" } ?? ""): \(e.message)"
    }
}
