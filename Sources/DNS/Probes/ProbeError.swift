import Findings

/// A probe that could not run: an unusable argument or input file, or a server that never answered.
/// The CLI prints it on one line and exits with status 2.
public struct ProbeError: ExposureError {
    public var file: String?
    public var place: InputPlace?
    public var reason: String

    public init(file: String? = nil, place: InputPlace? = nil, reason: String) {
        self.file = file
        self.place = place
        self.reason = reason
    }

    static func unreachable(_ server: ServerAddress, _ failure: TransportFailure) -> ProbeError {
        ProbeError(reason: "\(server) did not answer a DNS query: \(failure)")
    }
}

extension QueryLimits {
    /// The limits for a `--timeout` given on the command line, refused outside 0.1 to 30 seconds.
    public static func checked(timeout: Double) throws(ProbeError) -> QueryLimits {
        guard timeout.isFinite, (0.1...30).contains(timeout) else {
            throw ProbeError(reason: "--timeout must be between 0.1 and 30 seconds, not \(timeout)")
        }
        return QueryLimits(timeout: timeout)
    }
}
