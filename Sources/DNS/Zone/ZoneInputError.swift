import Findings

/// A zone file, trust anchor file or option that cannot be used: the CLI prints it and exits 2.
public struct ZoneInputError: ExposureError {
    public var file: String?
    public var place: InputPlace?
    public var reason: String

    public init(file: String?, place: InputPlace? = nil, reason: String) {
        self.file = file
        self.place = place
        self.reason = reason
    }
}
