import CNcurses
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The only code that talks to ncurses: sets the terminal up, draws a ``ScreenBuffer`` with a
/// ``Theme``, reads keys, and puts the terminal back on every way out (q, Ctrl-C, SIGTERM,
/// SIGHUP, and a crash).
public final class CursesTerminal {
    /// How colour is used.
    public enum ColorMode: Sendable { case none, basic, full }

    /// Box drawing and blocks (a UTF-8 locale) or ASCII.
    public let unicode: Bool
    public let colorMode: ColorMode
    private var restored = false
    private var screen: OpaquePointer?
    private var ttyInput: UnsafeMutablePointer<FILE>?

    /// Why the terminal could not be used.
    public struct TerminalError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Takes over the terminal. `noColor` (or `NO_COLOR` in the environment) draws without colour.
    /// `keysFromTTY` reads keys from `/dev/tty`, for when standard input carries the log lines.
    public init(noColor: Bool, keysFromTTY: Bool = false) throws {
        setlocale(LC_ALL, "")
        let codeset = String(cString: tl_codeset())
        unicode = codeset.uppercased().replacingOccurrences(of: "-", with: "") == "UTF8"
        let created: OpaquePointer?
        if keysFromTTY {
            guard isatty(1) != 0, let tty = fopen("/dev/tty", "r+") else {
                throw TerminalError(description: "reading logs from standard input, the dashboard takes its keys from /dev/tty, and there is none; use 'tripline analyze -' for pipes without a terminal")
            }
            ttyInput = tty
            CursesTerminal.ttyFD = fileno(tty)
            CursesTerminal.saveTerminalModes()
            created = tl_newterm_tty_input(tty)
        } else {
            guard isatty(0) != 0, isatty(1) != 0 else {
                throw TerminalError(description: "the dashboard needs a terminal; use 'tripline analyze' for pipes and files")
            }
            CursesTerminal.saveTerminalModes()
            created = tl_newterm()
        }
        guard let scr = created else {
            throw TerminalError(description: "unknown terminal type '\(ProcessInfo.processInfo.environment["TERM"] ?? "")': set TERM (e.g. xterm-256color)")
        }
        screen = scr
        CursesTerminal.installHandlers()
        cbreak()
        noecho()
        nonl()
        keypad(tl_stdscr(), true)
        wtimeout(tl_stdscr(), 100)
        curs_set(0)
        tl_set_escdelay(25)
        if !noColor, has_colors() {
            start_color()
            use_default_colors()
            colorMode = tl_colors() >= 256 ? .full : .basic
        } else {
            colorMode = .none
        }
    }

    /// Sets the colour pairs for a theme.
    public func apply(_ theme: Theme) {
        guard colorMode != .none else { return }
        for (i, role) in Role.allCases.enumerated() {
            var c = theme.colors[role] ?? Theme.Colors(fg: -1, bg: -1)
            if colorMode == .basic { c = .init(fg: Theme.basic(c.fg), bg: Theme.basic(c.bg)) }
            init_pair(Int16(i + 1), Int16(c.fg), Int16(c.bg))
        }
    }

    /// The terminal's size now.
    public var size: (width: Int, height: Int) {
        (Int(getmaxx(tl_stdscr())), Int(getmaxy(tl_stdscr())))
    }

    private func attributes(_ c: Cell) -> attr_t {
        var a: attr_t = tl_a_normal()
        if colorMode != .none {
            a |= tl_color_pair(Int32((Role.allCases.firstIndex(of: c.role) ?? 0) + 1))
        } else {
            switch c.role {
            case .title, .status, .cursor, .message, .error, .critical: a |= tl_a_reverse()
            case .header, .focus, .high: a |= tl_a_bold()
            case .dim: a |= tl_a_dim()
            default: break
            }
        }
        if c.bold { a |= tl_a_bold() }
        if c.reverse { a |= tl_a_reverse() }
        return a
    }

    /// Draws a whole buffer (curses sends only what changed).
    public func draw(_ b: ScreenBuffer) {
        werase(tl_stdscr())
        let (w, h) = size
        for y in 0..<min(b.height, h) {
            var x = 0
            while x < min(b.width, w) {
                let first = b.cell(x: x, y: y)
                let attr = attributes(first)
                var run: [wchar_t] = []
                let start = x
                while x < min(b.width, w) {
                    let c = b.cell(x: x, y: y)
                    if attributes(c) != attr { break }
                    if !c.continuation {
                        var v = c.scalar.value
                        if !unicode, v > 0x7E { v = 0x3F }
                        run.append(wchar_t(bitPattern: v))
                    }
                    x += 1
                }
                // The bottom-right cell cannot be written without scrolling: leave it.
                if y == h - 1, start + run.count >= w, !run.isEmpty { run.removeLast() }
                _ = tl_draw(Int32(y), Int32(start), run, Int32(run.count), attr)
            }
        }
        wnoutrefresh(tl_stdscr())
        doupdate()
    }

    /// Forces a full repaint on the next draw (Ctrl-L).
    public func invalidate() { clearok(tl_stdscr(), true) }

    /// Waits up to 100 ms for a key.
    public func readKey() -> Key? {
        var ch: wint_t = 0
        let r = wget_wch(tl_stdscr(), &ch)
        if r == ERR { return nil }
        let code = Int32(bitPattern: UInt32(ch))
        if r == KEY_CODE_YES {
            switch code {
            case tl_key_resize(): return .resize
            case KEY_UP: return .up
            case KEY_DOWN: return .down
            case KEY_LEFT: return .left
            case KEY_RIGHT: return .right
            case KEY_PPAGE: return .pageUp
            case KEY_NPAGE: return .pageDown
            case KEY_HOME: return .home
            case KEY_END: return .end
            case KEY_BACKSPACE: return .backspace
            case tl_key_btab(): return .backTab
            case tl_key_enter(): return .enter
            default: return nil
            }
        }
        switch code {
        case 27: return .escape
        case 9: return .tab
        case 10, 13: return .enter
        case 127, 8: return .backspace
        case 12: return .redraw
        case 3: return .interrupt
        default:
            guard let s = Unicode.Scalar(UInt32(ch)), code >= 32 else { return nil }
            return .char(Character(s))
        }
    }

    /// Puts the terminal back as it was (idempotent).
    public func restore() {
        guard !restored else { return }
        restored = true
        curs_set(1)
        endwin()
        if let screen { delscreen(screen) }
        screen = nil
        CursesTerminal.restoreTerminalModes()
        if let ttyInput { fclose(ttyInput) }
        ttyInput = nil
    }

    deinit { restore() }

    // MARK: - Signals

    /// Set by SIGINT, SIGTERM and SIGHUP; the app's loop checks it and leaves cleanly.
    public static var stopRequested: Bool { signalFlag != 0 }

    nonisolated(unsafe) static var signalFlag: sig_atomic_t = 0
    nonisolated(unsafe) static var savedModes = termios()
    nonisolated(unsafe) static var haveSavedModes = false
    /// The terminal whose modes are saved and restored: standard input, or /dev/tty.
    nonisolated(unsafe) static var ttyFD: Int32 = 0

    static func saveTerminalModes() {
        if tcgetattr(ttyFD, &savedModes) == 0 { haveSavedModes = true }
    }

    static func restoreTerminalModes() {
        if haveSavedModes { tcsetattr(ttyFD, TCSANOW, &savedModes) }
    }

    static func installHandlers() {
        let stop: @convention(c) (Int32) -> Void = { _ in CursesTerminal.signalFlag = 1 }
        signal(SIGINT, stop)
        signal(SIGTERM, stop)
        signal(SIGHUP, stop)
        // A parent may have left them blocked (some launchers do): the dashboard must hear them.
        var set = sigset_t()
        sigemptyset(&set)
        for s in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&set, s) }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        // A crash: put the terminal back with async-signal-safe calls, then die as before.
        let fatal: @convention(c) (Int32) -> Void = { sig in
            if CursesTerminal.haveSavedModes { tcsetattr(CursesTerminal.ttyFD, TCSANOW, &CursesTerminal.savedModes) }
            let reset = "\u{1B}[0m\u{1B}[?25h\u{1B}[?1049l\r\n"
            _ = reset.withCString { write(1, $0, strlen($0)) }
            signal(sig, SIG_DFL)
            raise(sig)
        }
        for s in [SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE] { signal(s, fatal) }
    }
}
