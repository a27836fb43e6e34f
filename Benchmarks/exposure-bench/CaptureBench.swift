/// The capture benchmark.
enum CaptureBench {
    static func run(_ args: [String]) throws {
        throw BenchmarkNotAvailable()
    }
}
