/// Telnet, recognised by its option negotiation (RFC 854/855): a stream that opens with IAC (255)
/// followed by WILL, WONT, DO, DONT or SB and a known option code. Telnet on port 2323 is still
/// Telnet; TLS on port 23 is not.
public struct TelnetDetector: StreamDetector {
    public static let telnet = LegacyProtocol(
        name: "telnet",
        check: CaptureCatalogue.legacyProtocol,
        title: "Telnet",
        risk: "it carries logins and whole sessions in cleartext",
        remediation: "Move the clients to SSH and disable the Telnet service.",
        severity: .high
    )

    public init() {}

    /// IAC, then WILL/WONT/DO/DONT (251–254) or SB (250), then an option from the IANA registry (0–49)
    /// or EXOPL (255).
    static func opensWithNegotiation(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count >= 3, bytes[0] == 0xFF, (250...254).contains(bytes[1]) else { return false }
        return bytes[2] <= 49 || bytes[2] == 255
    }

    public func mightMatch(_ sample: StreamSample) -> Bool {
        Self.opensWithNegotiation(sample.client) || Self.opensWithNegotiation(sample.server)
    }

    public func examine(_ sample: StreamSample) -> [Observation] {
        mightMatch(sample) ? [Observation(Self.telnet)] : []
    }
}
