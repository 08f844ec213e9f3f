import Foundation

/// Locates `../shared/conformance/` (the peers' test data, read in place) from this file,
/// or `$TRIPLINE_CONFORMANCE` when the clone lives elsewhere.
enum ConformancePaths {
    static let root: URL = {
        if let env = ProcessInfo.processInfo.environment["TRIPLINE_CONFORMANCE"], !env.isEmpty {
            return URL(fileURLWithPath: env)
        }
        var url = URL(fileURLWithPath: #filePath)
        // Tests/TriplineCoreTests/ConformancePaths.swift -> project root -> ../shared/conformance
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.deletingLastPathComponent().appendingPathComponent("shared/conformance")
    }()

    static func file(_ relative: String) -> URL { root.appendingPathComponent(relative) }
}
