/// What the dashboard needs of a terminal: ``CursesTerminal`` in use, a scripted one in tests.
public protocol DashboardTerminal: AnyObject {
    /// Whether box drawing and other non-ASCII characters can be shown.
    var unicode: Bool { get }
    /// Columns and rows.
    var size: (width: Int, height: Int) { get }
    /// The next key, waiting a short while (nil when none came).
    func readKey() -> Key?
    /// Shows a frame.
    func draw(_ b: ScreenBuffer)
    /// Redraws everything on the next frame (after another program wrote to the screen).
    func invalidate()
    /// Uses a theme's colours.
    func apply(_ theme: Theme)
    /// Whether a signal (SIGTERM, SIGHUP) asked the dashboard to stop.
    var stopRequested: Bool { get }
    /// Gives the terminal back as it was.
    func restore()
}

extension CursesTerminal: DashboardTerminal {
    public var stopRequested: Bool { CursesTerminal.stopRequested }
}
