/// The topology benchmark.
enum TopologyBench {
    static func run(_ args: [String]) throws {
        throw BenchmarkNotAvailable()
    }
}
