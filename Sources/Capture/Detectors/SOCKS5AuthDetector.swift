/// SOCKS 5 username/password authentication (RFC 1929): after the server picks method 2 (RFC 1928
/// §3), the client sends version 1, the user name and the password, each with a one-byte length,
/// in cleartext. The user name is reported; the password is never read into a value.
public struct SOCKS5AuthDetector: StreamDetector {
    public static let socks5Auth = LegacyProtocol(
        name: "socks5-cleartext-auth",
        check: CaptureCatalogue.cleartextCredentials,
        title: "SOCKS 5 username/password authentication",
        risk: "RFC 1929 sends the user name and password in cleartext to the proxy",
        remediation:
            "Reach the proxy through TLS or SSH, or use GSS-API authentication, and reset the exposed passwords.",
        severity: .high
    )

    public init() {}

    public func mightMatch(_ sample: StreamSample) -> Bool {
        guard sample.client.count >= 2, sample.client[0] == 5 else { return false }
        return (1...16).contains(sample.client[1])
    }

    /// The user name of the sub-negotiation, when the client offered method 2, the server chose it
    /// and the client's request is complete; nil otherwise.
    static func userName(client: PacketBytes, server: PacketBytes) -> [UInt8]? {
        var reader = ByteReader(client)
        guard reader.readUInt8() == 5, let count = reader.readUInt8(), count > 0,
            let methods = reader.readBytes(Int(count)), methods.contains(2)
        else { return nil }
        guard server.count >= 2, server[0] == 5, server[1] == 2 else { return nil }
        guard reader.readUInt8() == 1, let userLength = reader.readUInt8(),
            let user = reader.readBytes(Int(userLength)),
            let passwordLength = reader.readUInt8(), reader.skip(Int(passwordLength))
        else { return nil }
        return user.array
    }

    public func examine(_ sample: StreamSample) -> [Observation] {
        guard let user = Self.userName(client: sample.client, server: sample.server) else { return [] }
        var detail: [String: String] = [:]
        if !user.isEmpty { detail["user"] = TextScanning.userName(user) }
        return [Observation(Self.socks5Auth, detail: detail)]
    }
}
