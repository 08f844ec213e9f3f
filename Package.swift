// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Tripline",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "tripline", targets: ["tripline"]),
        .executable(name: "tripline-mcp", targets: ["tripline-mcp"]),
        .library(name: "TriplineCore", targets: ["TriplineCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/vapor/multipart-kit", from: "4.7.1"),
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk", from: "0.12.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
    ],
    targets: [
        // Events, parsers and detection: Foundation, the system's decompressors and sd-journal.
        .target(name: "TriplineCore", dependencies: [
            "CCompression", "CSystemd",
            .product(name: "HeapModule", package: "swift-collections"),
            .product(name: "DequeModule", package: "swift-collections"),
        ]),
        // Debian's zlib, liblzma and libzstd, for compressed rotated logs.
        .systemLibrary(name: "CCompression", path: "Sources/CCompression"),
        // Debian's libsystemd, for the systemd journal.
        .systemLibrary(name: "CSystemd", path: "Sources/CSystemd"),
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
        // The REST API (Hummingbird 2) over the shared analysis service.
        .target(name: "TriplineServer", dependencies: [
            "TriplineCore", "TriplineEngine",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "MultipartKit", package: "multipart-kit"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ], resources: [.embedInCode("Resources/openapi.json")]),
        // Alert sinks (Slack, Splunk HEC, Elasticsearch, webhooks) with on-disk spools.
        .target(name: "TriplineAlerts", dependencies: [
            "TriplineCore", "TriplineEngine", "TriplineConfig",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The MCP server over stdio (modelcontextprotocol/swift-sdk).
        .target(name: "TriplineMCP", dependencies: [
            "TriplineCore", "TriplineEngine",
            .product(name: "MCP", package: "swift-sdk"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // What the commands share: the model and config options, printing to the terminal.
        .target(name: "TriplineCommandLine", dependencies: [
            "TriplineCore", "TriplineConfig",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // The MCP server's own program, which `tripline mcp` runs: the MCP SDK links
        // FoundationNetworking and libcurl's thirty libraries, loaded by this program alone.
        .executableTarget(
            name: "tripline-mcp",
            dependencies: [
                "TriplineCommandLine", "TriplineCore", "TriplineConfig", "TriplineEngine", "TriplineMCP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "tripline",
            dependencies: [
                "TriplineCommandLine",
                "TriplineCore",
                "TriplineGenerator",
                "TriplineConfig",
                "TriplineEngine",
                "TriplineTUI",
                "TriplineServer",
                "TriplineAlerts",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // libFuzzer targets over the parsers and the model loader (built by scripts/fuzz.sh).
        .executableTarget(name: "TriplineFuzz", dependencies: ["TriplineCore", "TriplineEngine"]),
        .testTarget(name: "TriplineCoreTests", dependencies: ["TriplineCore", "TriplineTestSupport"]),
        .testTarget(name: "TriplineGeneratorTests", dependencies: ["TriplineGenerator", "TriplineCore", "TriplineTestSupport"]),
        .testTarget(name: "TriplineCLITests", dependencies: ["TriplineCore", "TriplineTestSupport"]),
        .testTarget(name: "TriplineConfigTests", dependencies: ["TriplineConfig", "TriplineCore", "TriplineTestSupport"]),
        .testTarget(name: "TriplineEngineTests", dependencies: ["TriplineEngine", "TriplineCore", "TriplineTestSupport"]),
        .testTarget(name: "TriplineMCPTests", dependencies: [
            "TriplineMCP", "TriplineEngine", "TriplineCore", "TriplineTestSupport", .product(name: "MCP", package: "swift-sdk"),
        ]),
        .testTarget(name: "TriplineTUITests", dependencies: ["TriplineTUI", "TriplineEngine", "TriplineCore", "TriplineTestSupport"], exclude: ["Snapshots"]),
        .testTarget(name: "TriplineServerTests", dependencies: [
            "TriplineServer", "TriplineEngine", "TriplineCore", "TriplineTestSupport",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
        ]),
        // Loopback stand-ins for Slack, Splunk, Elasticsearch and webhooks, the tests' own folder, growth ratios.
        .target(name: "TriplineTestSupport", dependencies: [
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Logging", package: "swift-log"),
        ], path: "Tests/TriplineTestSupport"),
        .testTarget(name: "TriplineAlertsTests", dependencies: [
            "TriplineAlerts", "TriplineConfig", "TriplineCore", "TriplineTestSupport",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
