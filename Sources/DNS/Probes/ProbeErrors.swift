import Findings

extension InputError {
    static func unreachable(_ server: ServerAddress, _ failure: TransportFailure) -> InputError {
        InputError(reason: "\(server) did not answer a DNS query: \(failure)")
    }
}

extension QueryLimits {
    /// The limits for a `--timeout` given on the command line, refused outside 0.1 to 30 seconds.
    public static func checked(timeout: Double) throws(InputError) -> QueryLimits {
        guard timeout.isFinite, (0.1...30).contains(timeout) else {
            throw InputError(reason: "--timeout must be between 0.1 and 30 seconds, not \(timeout)")
        }
        return QueryLimits(timeout: timeout)
    }
}
