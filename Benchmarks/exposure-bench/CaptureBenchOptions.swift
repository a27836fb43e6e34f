/// The capture benchmark's command-line options.
struct CaptureBenchOptions {
    var mixedMiB = 600
    var smallFlows = 1_100_000
    var dataFolder = "Benchmarks/data/capture"
    var regenerate = false
    var skipNDPI = false
    /// Alternating rounds of the three programs on the mixed capture.
    var rounds = 5

    mutating func parse(_ args: [String]) throws {
        var index = 0
        func value() throws -> String {
            guard index + 1 < args.count else { throw CaptureBenchError("\(args[index]) needs a value") }
            index += 1
            return args[index]
        }
        while index < args.count {
            switch args[index] {
            case "--mixed-mb": mixedMiB = Int(try value()) ?? mixedMiB
            case "--small-flows": smallFlows = Int(try value()) ?? smallFlows
            case "--data": dataFolder = try value()
            case "--regenerate": regenerate = true
            case "--skip-ndpi": skipNDPI = true
            case "--rounds": rounds = max(1, Int(try value()) ?? rounds)
            default:
                throw CaptureBenchError(
                    "usage: exposure-bench capture [--mixed-mb N] [--small-flows N] [--data DIR] [--regenerate] [--skip-ndpi] [--rounds N]"
                )
            }
            index += 1
        }
    }
}

/// A usage or setup problem of the capture benchmark.
struct CaptureBenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
