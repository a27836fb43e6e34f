/// NTLMv1 authentication ([MS-NLMP] §2.2.1.3): an NTLMSSP AUTHENTICATE message whose NT challenge
/// response is exactly 24 bytes is NTLMv1 (NTLMv2 responses are longer), which can be cracked back to
/// the password hash. The message is found wherever it travels: raw inside SMB, LDAP, DCE/RPC or
/// MSSQL's TDS (the LOGIN7 SSPI field and SSPI packets), or base64-encoded in an HTTP
/// `Authorization: NTLM|Negotiate` header (and, by the mail detectors, in SASL `AUTH NTLM`).
public struct NTLMDetector: StreamDetector {
    public static let ntlmv1 = LegacyProtocol(
        name: "ntlmv1",
        check: CaptureCatalogue.legacyProtocol,
        title: "NTLMv1 authentication",
        risk: "its responses can be cracked or relayed to recover the user's password hash",
        remediation:
            "Set LAN Manager authentication level to \"Send NTLMv2 response only. Refuse LM & NTLM\" and "
            + "move the clients to Kerberos.",
        severity: .high
    )

    public init() {}

    private static let signature: [UInt8] = Array("NTLMSSP".utf8) + [0]

    /// The `DOMAIN\user` of an NTLMv1 AUTHENTICATE message, or nil when it is not one.
    static func ntlmv1User(_ message: PacketBytes) -> String? {
        var reader = ByteReader(message)
        guard reader.skip(8), reader.readUInt32LittleEndian() == 3, reader.skip(8),
            let ntLength = reader.readUInt16LittleEndian(), reader.skip(6),
            let domain = field(&reader, in: message), let user = field(&reader, in: message), reader.skip(16),
            let flags = reader.readUInt32LittleEndian()
        else { return nil }
        guard ntLength == 24 else { return nil }
        let unicode = flags & 1 != 0
        let domainText = text(domain, unicode: unicode)
        let userText = text(user, unicode: unicode)
        return String((domainText.isEmpty ? userText : domainText + "\\" + userText).prefix(64))
    }

    /// A security buffer (length, allocated length, offset from the message start).
    private static func field(_ reader: inout ByteReader, in message: PacketBytes) -> PacketBytes? {
        guard let length = reader.readUInt16LittleEndian(), reader.skip(2), let offset = reader.readUInt32LittleEndian()
        else { return nil }
        let start = Int(offset)
        let end = start + Int(length)
        guard end <= message.count else { return PacketBytes() }
        return message[start..<end]
    }

    private static func text(_ bytes: PacketBytes, unicode: Bool) -> String {
        guard unicode else { return TextScanning.printable(bytes) }
        var units: [UInt16] = []
        var index = 0
        while index + 1 < bytes.count {
            units.append(UInt16(bytes[index]) | UInt16(bytes[index + 1]) << 8)
            index += 2
        }
        return TextScanning.printable(
            String(decoding: units, as: UTF16.self).unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) })
    }

    /// Every NTLMv1 user in raw bytes that hold NTLMSSP messages (an SMB or TDS stream, a SPNEGO token).
    static func ntlmv1Users(inMessages stream: PacketBytes) -> [String] {
        var users: [String] = []
        var from = 0
        while let at = TextScanning.find(signature, in: stream, from: from) {
            if let user = ntlmv1User(stream[at...]) { users.append(user) }
            from = at + signature.count
        }
        return users
    }

    /// Every NTLMv1 user in a stream, raw or in HTTP headers.
    static func ntlmv1Users(_ stream: PacketBytes) -> [String] {
        var users = ntlmv1Users(inMessages: stream)
        if HTTPBasicAuthDetector.startsWithRequest(stream) && HTTPBasicAuthDetector.hasAuthorizationHeader(stream) {
            for line in TextScanning.lines(stream) {
                let (header, value) = HTTPBasicAuthDetector.header(line)
                guard header == "authorization" || header == "proxy-authorization" else { continue }
                let (scheme, token) = TextScanning.command(value)
                guard scheme == "NTLM" || scheme == "NEGOTIATE",
                    let decoded = TextScanning.base64Decode(TextScanning.trimmed(token))
                else { continue }
                decoded.withPacketBytes { bytes in
                    if let at = TextScanning.find(signature, in: bytes),
                        let user = ntlmv1User(bytes[at...])
                    {
                        users.append(user)
                    }
                }
            }
        }
        return users
    }

    /// Everything it reads is in what the client sends.
    public var needsServerBytes: Bool { false }

    public func mightMatch(_ sample: StreamSample) -> Bool {
        guard let first = sample.client.first else { return false }
        // SMB/NetBIOS (0x00, 0x81), LDAP (BER 0x30), DCE/RPC (version 5), MSSQL's TDS (PRELOGIN 0x12,
        // LOGIN7 0x10, SSPI 0x11), HTTP.
        return first == 0x00 || first == 0x81 || first == 0x30 || first == 0x05 || first == 0x12 || first == 0x10
            || first == 0x11 || HTTPBasicAuthDetector.startsWithRequest(sample.client)
    }

    public func examine(_ sample: StreamSample) -> [Observation] {
        Self.ntlmv1Users(sample.client).map { Observation(Self.ntlmv1, detail: ["user": $0]) }
    }
}
