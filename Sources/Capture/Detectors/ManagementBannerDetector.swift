/// Remote management known by what the server says first, on any port: an SSH identification
/// string (RFC 4253 §4.2, `SSH-2.0-…`) or a VNC server's RFB ProtocolVersion (RFC 6143 §7.1.1,
/// `RFB 003.008\n`). What it sees is only a candidate: `FlowChecks` reports it under
/// `capture.remote-management-from-internet` when the connection was opened from a public address,
/// and it names the service in place of the one a well-known port would suggest.
public struct ManagementBannerDetector: StreamDetector {
    public init() {}

    /// Both banners are in the server's first bytes.
    public var needsServerBytes: Bool { false }

    /// The service the server's first bytes announce, if any.
    static func service(_ server: PacketBytes) -> String? {
        if SSHDetector.identification(server) != nil { return "ssh" }
        if isRFBVersion(server) { return "vnc" }
        return nil
    }

    /// `RFB xxx.yyy\n`: twelve bytes, the version in digits.
    static func isRFBVersion(_ bytes: PacketBytes) -> Bool {
        guard bytes.count >= 12, TextScanning.hasPrefix(bytes, "RFB ", ignoringCase: false), bytes[7] == 0x2E,
            bytes[11] == 0x0A
        else { return false }
        return [4, 5, 6, 8, 9, 10].allSatisfy { (0x30...0x39).contains(bytes[$0]) }
    }

    public func mightMatch(_ sample: StreamSample) -> Bool {
        TextScanning.hasPrefix(sample.server, "SSH-", ignoringCase: false)
            || TextScanning.hasPrefix(sample.server, "RFB ", ignoringCase: false)
    }

    public func examine(_ sample: StreamSample) -> [Observation] {
        guard let name = Self.service(sample.server), let management = FlowChecks.management[name] else { return [] }
        return [Observation(management)]
    }
}
