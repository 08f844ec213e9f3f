import Foundation
import Testing
import TriplineCore

/// The real binary in a real terminal (tmux), driven as an analyst would: a brute force appended
/// to a followed file shows up in the feed; drill-down, select and export, filter, resize, a
/// hostile log line, quit — and the shell is intact afterwards.
@Suite(.serialized) struct DashboardEndToEndTests {
    static var hasTmux: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") }

    @discardableResult
    static func tmux(_ args: String...) throws -> String {
        let r = try ChildProcess.run("/usr/bin/tmux", ["-L", "tripline-test"] + args, timeout: 20)
        return String(decoding: r.stdout, as: UTF8.self)
    }

    static func screen(_ session: String) throws -> String { try tmux("capture-pane", "-p", "-t", session) }

    /// Polls the screen until `predicate` holds (or the time runs out); returns the last screen.
    @discardableResult
    /// Waits for what the screen shows, not for a time: the deadline only ends a test that
    /// would otherwise hang, and is generous so that a machine with both cores busy passes.
    static func waitFor(_ session: String, seconds: Double = 120, _ predicate: (String) -> Bool) throws -> (String, Double) {
        let start = Date()
        var s = ""
        while Date().timeIntervalSince(start) < seconds {
            s = try screen(session)
            if predicate(s) { return (s, Date().timeIntervalSince(start)) }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return (s, Date().timeIntervalSince(start))
    }

    static func append(_ url: URL, _ text: String) throws {
        let h = try FileHandle(forWritingTo: url)
        try h.seekToEnd()
        try h.write(contentsOf: Data(text.utf8))
        try h.close()
    }

    @Test(.enabled(if: hasTmux, "tmux is not installed (apt-get install tmux)"), .timeLimit(.minutes(1)))
    func liveFeedDrillExportFilterResizeAndQuit() throws {
        let dir = try CLIRunner.tempDir()
        let models = dir.appendingPathComponent("models").path
        let train = try CLIRunner.run(["train", "--data-path", CLIRunner.projectRoot.appendingPathComponent("test_logs/auth.log").path, "--baseline-days", "1", "--model-dir", models])
        #expect(train.status == 0)
        let log = dir.appendingPathComponent("auth.log")
        FileManager.default.createFile(atPath: log.path, contents: Data("2026-03-06T09:59:00.000000+00:00 web-01 sshd[1]: Server listening on 0.0.0.0 port 22.\n".utf8))
        let session = "dash\(getpid())"
        defer { _ = try? Self.tmux("kill-session", "-t", session) }
        try Self.tmux("new-session", "-d", "-s", session, "-x", "100", "-y", "30", "env", "LANG=C.UTF-8", "TZ=UTC", "PS1=$ ", "bash", "--norc", "--noprofile")
        try Self.tmux("send-keys", "-t", session, "cd \(dir.path) && \(CLIRunner.binary.path) dashboard auth.log --model-dir \(models) --themes-dir \(CLIRunner.projectRoot.appendingPathComponent("themes").path)", "Enter")
        let (started, _) = try Self.waitFor(session) { $0.contains("Tripline") && $0.contains("Anomalies") }
        #expect(started.contains("following auth.log"), "\(started)")

        // A brute force is written to the log: it appears in the feed.
        var lines = ""
        for i in 0..<20 {
            lines += String(format: "2026-03-06T10:00:%02d.000000+00:00 web-01 sshd[%d]: Failed password for root from 203.0.113.45 port %d ssh2\n", i, 500 + i, 40000 + i)
        }
        try Self.append(log, lines)
        let (feed, latency) = try Self.waitFor(session) { $0.contains("203.0.113.45") }
        #expect(feed.contains("203.0.113.45") && feed.contains("brute force"), "\(feed)")
        print("dashboard e2e: brute force on screen \(String(format: "%.2f", latency)) s after it was written")
        // (How fast it shows is a figure for BENCHMARKS, not a test: it depends on the machine.)

        // Drill down into the source, and back.
        try Self.tmux("send-keys", "-t", session, "Enter")
        let (drill, _) = try Self.waitFor(session) { $0.contains("RECENT EVENTS") }
        #expect(drill.contains("source 203.0.113.45") && drill.contains("Failed password for root"), "\(drill)")
        try Self.tmux("send-keys", "-t", session, "Escape")
        try Self.waitFor(session) { $0.contains("Top offenders") }

        // Select it and export: the default name, an atomic write, a message with the path.
        try Self.tmux("send-keys", "-t", session, "Space")
        try Self.tmux("send-keys", "-t", session, "e")
        try Self.waitFor(session) { $0.contains("export to:") }
        try Self.tmux("send-keys", "-t", session, "Enter")
        let (exported, _) = try Self.waitFor(session) { $0.contains("exported 1 anomaly to") }
        #expect(exported.contains("exported 1 anomaly to"), "\(exported)")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("tripline-export-") }
        #expect(files.count == 1)
        if let f = files.first {
            let doc = try JSONParser.parse(String(decoding: try Data(contentsOf: dir.appendingPathComponent(f)), as: UTF8.self))
            #expect(doc["count"] == .int(1))
            if case .array(let a)? = doc["anomalies"] { #expect(a.first?["source_ip"] == .string("203.0.113.45")) }
        }

        // Filter to nothing, then clear.
        try Self.tmux("send-keys", "-t", session, "/", "z", "z", "z", "Enter")
        try Self.waitFor(session) { $0.contains("match the filter") }
        try Self.tmux("send-keys", "-t", session, "Escape")
        try Self.waitFor(session) { $0.contains("203.0.113.45") }

        // Resize: smaller still draws, too small says so, back again.
        try Self.tmux("resize-window", "-t", session, "-x", "70", "-y", "20")
        let (small, _) = try Self.waitFor(session) { s in s.contains("Tripline") && s.split(separator: "\n").count <= 20 }
        #expect(small.split(separator: "\n").allSatisfy { $0.count <= 70 })
        try Self.tmux("resize-window", "-t", session, "-x", "40", "-y", "10")
        try Self.waitFor(session) { $0.contains("terminal too small") }
        try Self.tmux("resize-window", "-t", session, "-x", "100", "-y", "30")
        try Self.waitFor(session) { $0.contains("Top offenders") }

        // A log line that tries to retitle the window and change colours does neither.
        let titleBefore = try Self.tmux("display-message", "-p", "-t", session, "#{pane_title}")
        try Self.append(log, (0..<8).map { i in "2026-03-06T10:05:0\(i).000000+00:00 web-01 sshd[9\(i)]: Invalid user \u{1B}]2;pwned\u{07}\u{1B}[31mevil\(i) from 198.51.100.66 port 5\n" }.joined())
        let (hostile, _) = try Self.waitFor(session) { $0.contains("198.51.100.66") }
        #expect(hostile.contains("198.51.100.66"))
        let titleAfter = try Self.tmux("display-message", "-p", "-t", session, "#{pane_title}")
        #expect(titleAfter == titleBefore && !titleAfter.contains("pwned"))

        // Quit: the shell is back, echoing and line-buffered.
        try Self.tmux("send-keys", "-t", session, "q")
        try Self.waitFor(session) { !$0.contains("Top offenders") }
        try Self.tmux("send-keys", "-t", session, "echo shell-ok-$((40+2))", "Enter")
        let (shell, _) = try Self.waitFor(session) { $0.contains("shell-ok-42") }
        #expect(shell.contains("echo shell-ok-$((40+2))"), "typed text is echoed: the terminal is back in cooked mode")
        #expect(shell.contains("shell-ok-42"))
    }

    @Test(.enabled(if: hasTmux, "tmux is not installed"), .timeLimit(.minutes(1)))
    func sigtermAndNoAuthLog() throws {
        let dir = try CLIRunner.tempDir()
        let log = dir.appendingPathComponent("a.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let session = "sig\(getpid())"
        defer { _ = try? Self.tmux("kill-session", "-t", session) }
        try Self.tmux("new-session", "-d", "-s", session, "-x", "90", "-y", "26", "env", "LANG=C.UTF-8", "PS1=$ ", "bash", "--norc", "--noprofile")
        let marker = dir.appendingPathComponent("no-model-\(getpid())").path
        try Self.tmux("send-keys", "-t", session, "cd \(dir.path) && NO_COLOR=1 \(CLIRunner.binary.path) dashboard a.log --model-dir \(marker); echo exit-$?", "Enter")
        try Self.waitFor(session) { $0.contains("no model") }
        // SIGTERM from outside, as a service manager would send it.
        var signalled = 0
        for entry in try FileManager.default.contentsOfDirectory(atPath: "/proc") {
            guard let pid = Int32(entry), let cmd = try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(entry)/cmdline")) else { continue }
            let text = String(decoding: cmd.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
            if text.contains("dashboard"), text.contains(marker) { kill(pid, SIGTERM); signalled += 1 }
        }
        #expect(signalled == 1)
        // The shell's own line "exit-N" (the typed command also holds "exit-$?").
        func exitLine(_ screen: String) -> String? {
            screen.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
                .first { $0.hasPrefix("exit-") && $0.dropFirst(5).allSatisfy(\.isNumber) && $0.count > 5 }
        }
        let (s, _) = try Self.waitFor(session) { exitLine($0) != nil }
        #expect(exitLine(s) == "exit-0", "SIGTERM ends the dashboard cleanly: \(s)")
        try Self.tmux("send-keys", "-t", session, "clear; echo typed-$((1+1))", "Enter")
        let (after, _) = try Self.waitFor(session) { $0.contains("typed-2") }
        #expect(after.contains("typed-2"))
    }

    /// Two hosts at 80x24: a HOST column and a HOSTS list, the totals in the header and the
    /// histogram, a long name cut with a mark (never silently), and Enter on a host drills into it.
    @Test(.enabled(if: hasTmux, "tmux is not installed"), .timeLimit(.minutes(1)))
    func severalHostsTotalsAndMarks() throws {
        let dir = try CLIRunner.tempDir()
        let log = dir.appendingPathComponent("central.log")
        var text = ""
        for i in 0..<12 {
            text += String(format: "2026-03-06T10:00:%02d+00:00 web-01 sshd[%d]: Failed password for root from 203.0.113.45 port %d ssh2\n", i, 500 + i, 40000 + i)
            text += String(format: "2026-03-06T10:01:%02d+00:00 db-02 sshd[%d]: Failed password for invalid user svc-backup-replication-agent from 2001:db8:85a3::7334 port %d ssh2\n", i, 700 + i, 41000 + i)
        }
        try text.write(to: log, atomically: true, encoding: .utf8)
        let session = "hosts\(getpid())"
        defer { _ = try? Self.tmux("kill-session", "-t", session) }
        try Self.tmux("new-session", "-d", "-s", session, "-x", "80", "-y", "24", "env", "LANG=C.UTF-8", "TZ=UTC", "PS1=$ ", "bash", "--norc", "--noprofile")
        let marker = dir.appendingPathComponent("no-model").path
        try Self.tmux("send-keys", "-t", session, "\(CLIRunner.binary.path) dashboard \(log.path) --from-start --model-dir \(marker); echo exit-$?", "Enter")
        let (screen, _) = try Self.waitFor(session) { $0.contains("HOSTS") && $0.contains("2001:db8:85a3::7334") }
        #expect(screen.contains("HOST ") && screen.contains("db-02") && screen.contains("web-01"), "\(screen)")
        #expect(screen.contains("anomalies 2"), "the header counts the incidents: \(screen)")
        #expect(screen.contains(try! Regex("svc-backup[a-z-]*⋯")), "a long name is cut with a mark: \(screen)")
        #expect(screen.contains(try! Regex("HIGH +[12] ■")) || screen.contains(try! Regex("CRIT +[12] ■")), "severity bars: \(screen)")
        // Tab to the hosts (sources, users, hosts), down to db-02 or web-01, Enter.
        for _ in 0..<3 { try Self.tmux("send-keys", "-t", session, "Tab") }
        try Self.tmux("send-keys", "-t", session, "Enter")
        let (drill, _) = try Self.waitFor(session) { $0.contains("host ") && $0.contains("ANOMALIES (1)") }
        #expect(drill.contains("no baseline per host"), "\(drill)")
        try Self.tmux("send-keys", "-t", session, "Escape")
        try Self.tmux("send-keys", "-t", session, "q")
        let (done, _) = try Self.waitFor(session) { $0.contains("exit-0") }
        #expect(done.contains("exit-0"))
    }

    /// In a terminal as a user types it: a mistyped command is an error with a suggestion (not
    /// a dashboard following a file called "analyse"), and a replay fills the histogram.
    @Test(.enabled(if: hasTmux, "tmux is not installed"), .timeLimit(.minutes(1)))
    func typoThenReplayHistogram() throws {
        let dir = try CLIRunner.tempDir()
        let session = "typo\(getpid())"
        defer { _ = try? Self.tmux("kill-session", "-t", session) }
        try Self.tmux("new-session", "-d", "-s", session, "-x", "100", "-y", "30", "env", "LANG=C.UTF-8", "TZ=UTC", "PS1=$ ", "bash", "--norc", "--noprofile")
        let sample = CLIRunner.projectRoot.appendingPathComponent("test_logs/auth.log").path
        try Self.tmux("send-keys", "-t", session, "cd \(dir.path) && \(CLIRunner.binary.path) analyse \(sample); echo exit-$?", "Enter")
        let (typo, _) = try Self.waitFor(session) { $0.contains("exit-6") }
        #expect(typo.contains("did you mean 'analyze'?") && typo.contains("exit-64"), "\(typo)")
        // A replay at 100,000x: four days in a few seconds; the histogram fits them.
        let marker = dir.appendingPathComponent("no-model").path
        try Self.tmux("send-keys", "-t", session, "clear; \(CLIRunner.binary.path) dashboard \(sample) --replay 100000 --model-dir \(marker); echo exit-$?", "Enter")
        let (replayed, _) = try Self.waitFor(session) { $0.contains("per 6 h") && $0.contains("CRIT ") && $0.contains("brute force") }
        let bars = replayed.split(separator: "\n").filter { $0.contains("CRIT ") || $0.contains("HIGH ") || $0.contains("MED ") }
        #expect(bars.contains { $0.contains("■") }, "\(replayed)")
        #expect(replayed.contains("replay"), "the header says it is a replay: \(replayed)")
        try Self.tmux("send-keys", "-t", session, "q")
        let (done, _) = try Self.waitFor(session) { $0.contains("exit-0") }
        #expect(done.contains("exit-0"))
    }

    /// Logs on standard input (keys then come from the terminal), a retrain on the recent history
    /// with `R`, and `t` changing the colours.
    @Test(.enabled(if: hasTmux, "tmux is not installed"), .timeLimit(.minutes(1)))
    func standardInputRetrainAndTheme() throws {
        let dir = try CLIRunner.tempDir()
        let input = dir.appendingPathComponent("in.log")
        try FileManager.default.copyItem(at: CLIRunner.projectRoot.appendingPathComponent("test_logs/auth.log"), to: input)
        let models = dir.appendingPathComponent("models")
        let session = "stdin\(getpid())"
        defer { _ = try? Self.tmux("kill-session", "-t", session) }
        // Colour on, whatever the environment running the tests says (NO_COLOR is common in CI).
        try Self.tmux("new-session", "-d", "-s", session, "-x", "100", "-y", "30", "env", "-u", "NO_COLOR", "LANG=C.UTF-8", "TZ=UTC", "PS1=$ ", "bash", "--norc", "--noprofile")
        let themes = CLIRunner.projectRoot.appendingPathComponent("themes").path
        try Self.tmux("send-keys", "-t", session, "cat \(input.path) | \(CLIRunner.binary.path) dashboard - --model-dir \(models.path) --themes-dir \(themes); echo exit-$?", "Enter")
        let (fed, _) = try Self.waitFor(session) { $0.contains("input ended") && $0.contains("no model") }
        #expect(fed.contains("reading standard input") && fed.contains("input ended"), "\(fed)")
        #expect(fed.contains("brute force"), "the sample's attacks arrive through the pipe: \(fed)")

        // The histogram fits the four days read (six-hour buckets in 38 columns), with the
        // incidents counted by severity; + zooms in, z fits the log again.
        #expect(fed.contains("per 6 h") && fed.contains("CRIT ") && fed.contains("HIGH "), "\(fed)")
        let histogramRows = fed.split(separator: "\n").filter { $0.contains("CRIT ") || $0.contains("HIGH ") }
        #expect(histogramRows.contains { $0.contains("■") }, "severity bars: \(histogramRows)")
        try Self.tmux("send-keys", "-t", session, "+")
        let (zoomed, _) = try Self.waitFor(session) { $0.contains("per hour") && $0.contains("zoomed") }
        #expect(zoomed.contains("histogram per hour"), "\(zoomed)")
        try Self.tmux("send-keys", "-t", session, "z")
        let (fitted, _) = try Self.waitFor(session) { $0.contains("per 6 h") && !$0.contains("zoomed") }
        #expect(fitted.contains("histogram fits the log"), "\(fitted)")

        // R: no files to read again, so the recent history trains the model; the pane says so.
        try Self.tmux("send-keys", "-t", session, "R")
        let (retrained, _) = try Self.waitFor(session) { $0.contains("retrained:") }
        #expect(retrained.contains("retrained:") && retrained.contains("trained just now"), "\(retrained)")
        #expect(FileManager.default.fileExists(atPath: models.appendingPathComponent("model.json").path))

        // t: the next theme, announced, and the colours on screen change.
        let before = try Self.tmux("capture-pane", "-e", "-p", "-t", session)
        try Self.tmux("send-keys", "-t", session, "t")
        let (themed, _) = try Self.waitFor(session) { $0.contains("theme: ") }
        #expect(themed.contains("theme: "))
        func escapes(_ s: String) -> Set<Substring> { Set(s.split(separator: "\u{1B}").map { $0.prefix(while: { $0 != "m" }) }) }
        // The announcement and the new colours may reach the terminal in different frames.
        var after = try Self.tmux("capture-pane", "-e", "-p", "-t", session)
        let deadline = Date().addingTimeInterval(120)
        while escapes(after) == escapes(before), Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
            after = try Self.tmux("capture-pane", "-e", "-p", "-t", session)
        }
        #expect(escapes(before) != escapes(after), "the colours change with the theme")

        try Self.tmux("send-keys", "-t", session, "q")
        let (done, _) = try Self.waitFor(session) { $0.split(separator: "\n").contains { $0.hasPrefix("exit-") } }
        #expect(done.contains("exit-0"), "\(done)")
    }
}
