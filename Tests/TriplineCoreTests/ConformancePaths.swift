import Foundation
import Testing

/// Locates the peers' test data (`conformance/`: fail2ban, CrowdSec, Wazuh), read in place:
/// `$TRIPLINE_CONFORMANCE_DIR` (or the older `$TRIPLINE_CONFORMANCE`) when set, else
/// `../shared/conformance` beside the project. A clone elsewhere has none: the tests that read
/// it are skipped with a notice saying so (CI points at it).
enum ConformancePaths {
    static let root: URL = {
        let env = ProcessInfo.processInfo.environment
        if let dir = env["TRIPLINE_CONFORMANCE_DIR"] ?? env["TRIPLINE_CONFORMANCE"], !dir.isEmpty {
            return URL(fileURLWithPath: dir)
        }
        var url = URL(fileURLWithPath: #filePath)
        // Tests/TriplineCoreTests/ConformancePaths.swift -> project root -> ../shared/conformance
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.deletingLastPathComponent().appendingPathComponent("shared/conformance")
    }()

    /// Whether the data is there; prints a notice the first time it is not.
    static let available: Bool = {
        let there = FileManager.default.fileExists(atPath: root.path)
        if !there {
            print("notice: the peers' conformance data is not at \(root.path); its tests are skipped (set TRIPLINE_CONFORMANCE_DIR)")
        }
        return there
    }()

    /// The trait that skips a test or suite when the data is absent.
    static let required = ConditionTrait.enabled(if: available, "the peers' conformance data (../shared/conformance or $TRIPLINE_CONFORMANCE_DIR) is not here")

    static func file(_ relative: String) -> URL { root.appendingPathComponent(relative) }
}
