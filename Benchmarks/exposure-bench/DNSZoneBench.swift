/// The dns-zone benchmark.
enum DNSZoneBench {
    static func run(_ args: [String]) throws {
        throw BenchmarkNotAvailable()
    }
}
