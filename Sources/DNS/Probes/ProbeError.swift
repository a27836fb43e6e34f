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
