import Foundation

/// Locates `../shared/conformance/` (the peers' test data, read in place) from this file.
enum ConformancePaths {
    static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        // Tests/TriplineCoreTests/ConformancePaths.swift -> project root -> ../shared/conformance
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.deletingLastPathComponent().appendingPathComponent("shared/conformance")
    }()

    static func file(_ relative: String) -> URL { root.appendingPathComponent(relative) }
}
