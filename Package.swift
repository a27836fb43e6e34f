// swift-tools-version: 6.2
import PackageDescription

/// CI builds the project's own targets with warnings as errors (`EXPOSURE_WARNINGS_AS_ERRORS=1`, set by
/// `.ci/run`); dependencies are left alone.
let ownSettings: [SwiftSetting] =
    Context.environment["EXPOSURE_WARNINGS_AS_ERRORS"] == "1" ? [.treatAllWarnings(as: .error)] : []

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
        .target(name: "Findings", swiftSettings: ownSettings),

        // The one seeded random generator of the tests and benchmarks (not used by the product).
        .target(name: "SeededRandom", swiftSettings: ownSettings),

        // Process-wide tuning (glibc's allocator) for the command line and the benchmarks; kept out of the
        // I/O-free core.
        .target(name: "ProcessTuning", swiftSettings: ownSettings),

        // The three analyzers. They never import each other.
        .target(
            name: "Topology",
            dependencies: ["Findings", .product(name: "Yams", package: "Yams")],
            exclude: ["Reachability/DESIGN.md"],
            swiftSettings: ownSettings
        ),
        .target(name: "Capture", dependencies: ["Findings", "CPcap"], swiftSettings: ownSettings),
        .target(name: "DNS", dependencies: ["Findings", "CLDNS"], swiftSettings: ownSettings),

        // What combines the analyzers: `exposure scan`.
        .target(
            name: "Scan", dependencies: ["Findings", "Topology", "Capture", "DNS", "Correlation"],
            swiftSettings: ownSettings),
        // Observed traffic held against the rules: `exposure correlate`.
        .target(name: "Correlation", dependencies: ["Findings", "Topology", "Capture"], swiftSettings: ownSettings),

        // The command line: parsing and printing only.
        .executableTarget(
            name: "exposure",
            dependencies: [
                "Findings", "Topology", "Capture", "DNS", "Scan", "Correlation", "ProcessTuning",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: ownSettings
        ),

        // One benchmark executable with a subcommand per module.
        .executableTarget(
            name: "exposure-bench",
            dependencies: ["Findings", "Topology", "Capture", "DNS", "Correlation", "ProcessTuning", "SeededRandom"],
            path: "Benchmarks/exposure-bench",
            swiftSettings: ownSettings
        ),

        // Expected outputs are read from the source tree (#filePath), not bundled as resources.
        .testTarget(name: "FindingsTests", dependencies: ["Findings", "SeededRandom"], exclude: ["Expected"], swiftSettings: ownSettings),
        .testTarget(
            name: "TopologyTests", dependencies: ["Topology", "Findings", "Correlation", "SeededRandom"], exclude: ["Expected", "ServiceTags"],
            swiftSettings: ownSettings),
        .testTarget(name: "CaptureTests", dependencies: ["Capture", "Findings", "SeededRandom"], exclude: ["Expected"], swiftSettings: ownSettings),
        .testTarget(name: "DNSTests", dependencies: ["DNS", "Findings", "SeededRandom"], exclude: ["Expected", "Servers"], swiftSettings: ownSettings),
        .testTarget(name: "CLITests", dependencies: ["exposure", "Findings"], swiftSettings: ownSettings),
        .testTarget(
            name: "CorrelationTests", dependencies: ["Correlation", "Topology", "Capture", "Findings", "SeededRandom"],
            exclude: ["Expected"], swiftSettings: ownSettings),
    ],
    swiftLanguageModes: [.v6]
)

// Fuzzing (`make fuzz`): one libFuzzer binary serving every fuzz target, built only on request
// (`EXPOSURE_FUZZ=1`, with `-sanitize=fuzzer,address`); libFuzzer supplies its entry point.
if Context.environment["EXPOSURE_FUZZ"] == "1" {
    package.products.append(.executable(name: "exposure-fuzz", targets: ["exposure-fuzz"]))
    package.targets.append(
        .executableTarget(
            name: "exposure-fuzz",
            dependencies: ["Findings", "Topology", "Capture", "DNS"],
            path: "Fuzz/exposure-fuzz",
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ))
}
