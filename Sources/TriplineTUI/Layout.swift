/// Where the panes go at a given terminal size.
public struct Layout: Equatable, Sendable {
    public struct Rect: Equatable, Sendable {
        public var x, y, width, height: Int
    }

    /// Smallest size the dashboard draws at.
    public static let minimumWidth = 60
    public static let minimumHeight = 16

    public let width: Int
    public let height: Int
    public let header: Rect
    public let feed: Rect
    public let histogram: Rect
    public let offenders: Rect
    public let stats: Rect
    public let status: Rect

    public var isTooSmall: Bool { width < Layout.minimumWidth || height < Layout.minimumHeight }

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
        header = Rect(x: 0, y: 0, width: width, height: 1)
        status = Rect(x: 0, y: height - 1, width: width, height: 1)
        let body = max(0, height - 2)
        let feedH = max(6, body * 55 / 100)
        feed = Rect(x: 0, y: 1, width: width, height: feedH)
        let bottomY = 1 + feedH
        let bottomH = max(0, body - feedH)
        let histW = width * 40 / 100
        let offW = (width - histW) / 2
        histogram = Rect(x: 0, y: bottomY, width: histW, height: bottomH)
        offenders = Rect(x: histW, y: bottomY, width: offW, height: bottomH)
        stats = Rect(x: histW + offW, y: bottomY, width: width - histW - offW, height: bottomH)
    }
}
