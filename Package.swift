// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Exposure",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "exposure", targets: ["exposure"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // C libraries, reached through system-library targets only.
        .systemLibrary(
            name: "CPcap",
            pkgConfig: "libpcap",
            providers: [.apt(["libpcap-dev"])]
        ),
        .systemLibrary(
            name: "CLDNS",
            pkgConfig: "ldns",
            providers: [.apt(["libldns-dev", "libssl-dev"])]
        ),

        // The core vocabulary: findings, severities, reports and their renderers. No I/O.
        .target(name: "Findings"),

        // Process-wide tuning (glibc's allocator) for the command line and the benchmarks; kept out of the
        // I/O-free core.
        .target(name: "ProcessTuning"),

        // The three analyzers. They never import each other.
        .target(
            name: "Topology",
            dependencies: ["Findings", .product(name: "Yams", package: "Yams")],
            exclude: ["Reachability/DESIGN.md"]
        ),
        .target(name: "Capture", dependencies: ["Findings", "CPcap"]),
        .target(name: "DNS", dependencies: ["Findings", "CLDNS"]),

        // What combines the analyzers: `exposure scan`.
        .target(name: "Scan", dependencies: ["Findings", "Topology", "Capture", "DNS"]),

        // The command line: parsing and printing only.
        .executableTarget(
            name: "exposure",
            dependencies: [
                "Findings", "Topology", "Capture", "DNS", "Scan", "ProcessTuning",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // One benchmark executable with a subcommand per module.
        .executableTarget(
            name: "exposure-bench",
            dependencies: ["Findings", "Topology", "Capture", "DNS", "ProcessTuning"],
            path: "Benchmarks/exposure-bench"
        ),

        // Expected outputs are read from the source tree (#filePath), not bundled as resources.
        .testTarget(name: "FindingsTests", dependencies: ["Findings"], exclude: ["Expected"]),
        .testTarget(name: "TopologyTests", dependencies: ["Topology", "Findings"], exclude: ["Expected"]),
        .testTarget(name: "CaptureTests", dependencies: ["Capture", "Findings"], exclude: ["Expected"]),
        .testTarget(name: "DNSTests", dependencies: ["DNS", "Findings"], exclude: ["Expected", "Servers"]),
        .testTarget(name: "CLITests", dependencies: ["exposure", "Findings"]),
    ],
    swiftLanguageModes: [.v6]
)
