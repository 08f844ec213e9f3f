// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Tripline",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "tripline", targets: ["tripline"]),
        .library(name: "TriplineCore", targets: ["TriplineCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        // Events, parsers and (later) detection: Foundation only.
        .target(name: "TriplineCore"),
        // Deterministic synthetic auth logs with labelled attacks, for tests, demos and benchmarks.
        .target(name: "TriplineGenerator", dependencies: ["TriplineCore"]),
        // Debian's ncursesw, for the dashboard.
        .systemLibrary(name: "CNcurses", path: "Sources/CNcurses"),
        // Following files, the live detection engine, exports.
        .target(name: "TriplineEngine", dependencies: ["TriplineCore"]),
        // The terminal dashboard: state, reducer, rendering, themes, the curses terminal.
        .target(name: "TriplineTUI", dependencies: ["TriplineCore", "TriplineEngine", "CNcurses", .product(name: "TOMLKit", package: "TOMLKit")]),
        // The TOML configuration file.
        .target(name: "TriplineConfig", dependencies: ["TriplineCore", .product(name: "TOMLKit", package: "TOMLKit")]),
        .executableTarget(
            name: "tripline",
            dependencies: [
                "TriplineCore",
                "TriplineGenerator",
                "TriplineConfig",
                "TriplineEngine",
                "TriplineTUI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "TriplineCoreTests", dependencies: ["TriplineCore"]),
        .testTarget(name: "TriplineGeneratorTests", dependencies: ["TriplineGenerator", "TriplineCore"]),
        .testTarget(name: "TriplineCLITests", dependencies: ["TriplineCore"]),
        .testTarget(name: "TriplineConfigTests", dependencies: ["TriplineConfig", "TriplineCore"]),
        .testTarget(name: "TriplineEngineTests", dependencies: ["TriplineEngine", "TriplineCore"]),
        .testTarget(name: "TriplineTUITests", dependencies: ["TriplineTUI", "TriplineEngine", "TriplineCore"]),
    ],
    swiftLanguageModes: [.v6]
)
