/// SSL and TLS, judged by what the server chose. The server's ServerHello (RFC 5246 §7.4.1.3) names
/// the version and cipher suite in force; from TLS 1.3 on the real version is in the
/// supported_versions extension (RFC 8446 §4.2.1), the legacy field saying 1.2, so that extension
/// wins. SSLv2 is recognised by its two-byte record header and SERVER-HELLO message (message type 4).
/// What a client merely offers is not reported, except a pure SSLv2 CLIENT-HELLO nobody answered (info).
/// TLS that starts after STARTTLS (SMTP, FTP, POP3, IMAP, LDAP) or after another opening (SOCKS,
/// HTTP CONNECT, RDP, MySQL, PostgreSQL: `TLSOpenings`) is judged the same way.
public struct TLSDetector: StreamDetector {
    public static let sslv2 = LegacyProtocol(
        name: "sslv2",
        check: CaptureCatalogue.legacyProtocol,
        title: "SSL 2.0",
        risk: "it is broken (RFC 6176 prohibits it) and exposes the server's key to DROWN",
        remediation: "Disable SSL 2.0 on the server; allow TLS 1.2 and 1.3 only.",
        severity: .critical
    )
    public static let sslv3 = LegacyProtocol(
        name: "sslv3",
        check: CaptureCatalogue.legacyProtocol,
        title: "SSL 3.0",
        risk: "it is broken by POODLE and prohibited by RFC 7568",
        remediation: "Disable SSL 3.0 on the server; allow TLS 1.2 and 1.3 only.",
        severity: .high
    )
    public static let tls10 = LegacyProtocol(
        name: "tls1.0",
        check: CaptureCatalogue.legacyProtocol,
        title: "TLS 1.0",
        risk: "it is deprecated by RFC 8996 and lacks modern cipher suites",
        remediation: "Move the clients to TLS 1.2 or 1.3 and disable TLS 1.0 on the server.",
        severity: .medium
    )
    public static let tls11 = LegacyProtocol(
        name: "tls1.1",
        check: CaptureCatalogue.legacyProtocol,
        title: "TLS 1.1",
        risk: "it is deprecated by RFC 8996 and lacks modern cipher suites",
        remediation: "Move the clients to TLS 1.2 or 1.3 and disable TLS 1.1 on the server.",
        severity: .medium
    )
    public static let weakCipher = LegacyProtocol(
        name: "weak-tls-cipher",
        check: CaptureCatalogue.weakTLSCipher,
        title: "A weak TLS cipher suite",
        risk: "the suite the server chose can be broken or gives no confidentiality",
        remediation: "Remove NULL, EXPORT, RC4, DES, 3DES and anonymous suites from the server's configuration.",
        severity: .high
    )

    public init() {}

    /// The parts of a ServerHello that matter here.
    struct ServerHello: Equatable {
        /// The negotiated version: supported_versions when present, else the legacy field.
        var version: UInt16
        var cipherSuite: UInt16
    }

    /// A pure SSLv2 message header: two-byte length with the high bit set, then the message type.
    static func sslv2MessageType(_ bytes: PacketBytes) -> UInt8? {
        guard bytes.count >= 3, bytes[0] & 0x80 != 0 else { return nil }
        return bytes[2]
    }

    static func startsWithTLSRecord(_ bytes: PacketBytes) -> Bool {
        bytes.count >= 3 && bytes[0] == 22 && bytes[1] == 3 && bytes[2] <= 4
    }

    public func mightMatch(_ sample: StreamSample) -> Bool {
        Self.startsWithTLSRecord(sample.client) || Self.startsWithTLSRecord(sample.server)
            || Self.sslv2MessageType(sample.client) == 1 || Self.sslv2MessageType(sample.server) == 4
            || Self.mayUpgrade(sample) || TLSOpenings.mightOpen(client: sample.client, server: sample.server)
    }

    /// Protocols that switch to TLS in the middle of the connection (STARTTLS): SMTP, FTP, POP3,
    /// IMAP, LDAP.
    static func mayUpgrade(_ sample: StreamSample) -> Bool {
        TextScanning.hasPrefix(sample.server, "220") || TextScanning.hasPrefix(sample.server, "+OK")
            || TextScanning.hasPrefix(sample.server, "* OK") || sample.client.first == 0x30
    }

    private static let handshakeRecordStart: [UInt8] = [22, 3]

    /// Where TLS starts in a stream: at its start, or — after a STARTTLS exchange — at the first
    /// handshake record that follows a line end or a complete LDAP message.
    static func tlsStart(_ stream: PacketBytes) -> Int? {
        if startsWithTLSRecord(stream) { return 0 }
        var from = 0
        while let at = TextScanning.find(handshakeRecordStart, in: stream, from: from) {
            if at > 0, at + 5 < stream.count, stream[at + 2] <= 4, stream[at - 1] == 0x0A || stream[at - 1] == 0x00 {
                return at
            }
            from = at + 1
        }
        return nil
    }

    /// The bytes from where TLS starts, or empty.
    static func tlsPart(_ stream: PacketBytes) -> PacketBytes {
        guard let start = tlsStart(stream) else { return PacketBytes() }
        return stream[start...]
    }

    /// The handshake bytes carried by the leading run of handshake records (content type 22), joined
    /// so a message split across records reads whole.
    static func handshakeBytes(_ stream: PacketBytes) -> [UInt8] {
        var reader = ByteReader(stream)
        var joined: [UInt8] = []
        while let type = reader.peekUInt8(), type == 22 {
            guard reader.skip(3), let length = reader.readUInt16() else { break }
            let fragment = reader.readAtMost(Int(length))
            joined.append(contentsOf: fragment)
            if fragment.count < Int(length) { break }
        }
        return joined
    }

    /// The first handshake message of type `type` and its body.
    static func handshakeMessage(_ type: UInt8, in handshake: PacketBytes) -> PacketBytes? {
        var reader = ByteReader(handshake)
        while let messageType = reader.readUInt8(), let length = reader.readUInt24() {
            guard let body = reader.readBytes(Int(length)) else {
                return messageType == type ? reader.readRest() : nil
            }
            if messageType == type { return body }
        }
        return nil
    }

    /// Whether the handshake bytes hold a complete message of type `type`, every message before it
    /// complete too: then `handshakeMessage` finds the same body in any longer run of the same stream.
    static func hasCompleteHandshakeMessage(_ type: UInt8, in handshake: PacketBytes) -> Bool {
        var reader = ByteReader(handshake)
        while let messageType = reader.readUInt8(), let length = reader.readUInt24() {
            guard reader.skip(Int(length)) else { return false }
            if messageType == type { return true }
        }
        return false
    }

    /// TLS from the first byte of both directions is decided once the client's ClientHello and the
    /// server's ServerHello are complete: `examine` reads nothing else there. (With both sides starting
    /// with a handshake record there is no SSLv2, STARTTLS or other opening: each of those starts
    /// otherwise, and a MySQL greeting's length read from these bytes exceeds the 8 KiB kept.)
    public var decidesEarly: Bool { true }

    public func hasDecided(_ sample: StreamSample) -> Bool {
        guard Self.startsWithTLSRecord(sample.client), Self.startsWithTLSRecord(sample.server) else { return false }
        let server = Self.handshakeBytes(sample.server)
        guard server.withPacketBytes({ Self.hasCompleteHandshakeMessage(2, in: $0) }) else { return false }
        return Self.handshakeBytes(sample.client).withPacketBytes { Self.hasCompleteHandshakeMessage(1, in: $0) }
    }

    static func parseServerHello(_ body: PacketBytes) -> ServerHello? {
        var reader = ByteReader(body)
        guard let legacyVersion = reader.readUInt16(), reader.skip(32), let sessionIDLength = reader.readUInt8(),
            reader.skip(Int(sessionIDLength)), let cipherSuite = reader.readUInt16(), reader.skip(1)
        else { return nil }
        var hello = ServerHello(version: legacyVersion, cipherSuite: cipherSuite)
        guard let extensionsLength = reader.readUInt16() else { return hello }
        var extensions = ByteReader(reader.readAtMost(Int(extensionsLength)))
        while let type = extensions.readUInt16(), let length = extensions.readUInt16(),
            let data = extensions.readBytes(Int(length))
        {
            if type == 0x002B, data.count == 2 {
                hello.version = UInt16(data[0]) << 8 | UInt16(data[1])
            }
        }
        return hello
    }

    /// The server_name a ClientHello asked for, as a hint of what service it was.
    static func serverName(_ clientHello: PacketBytes) -> String? {
        var reader = ByteReader(clientHello)
        guard reader.skip(34), let sessionIDLength = reader.readUInt8(), reader.skip(Int(sessionIDLength)),
            let suitesLength = reader.readUInt16(), reader.skip(Int(suitesLength)),
            let compressionLength = reader.readUInt8(), reader.skip(Int(compressionLength)),
            let extensionsLength = reader.readUInt16()
        else { return nil }
        var extensions = ByteReader(reader.readAtMost(Int(extensionsLength)))
        while let type = extensions.readUInt16(), let length = extensions.readUInt16(),
            let data = extensions.readBytes(Int(length))
        {
            guard type == 0 else { continue }
            var names = ByteReader(data)
            guard names.skip(2), names.readUInt8() == 0, let nameLength = names.readUInt16(),
                let name = names.readBytes(Int(nameLength))
            else { return nil }
            return String(TextScanning.printable(name).prefix(255))
        }
        return nil
    }

    static func versionName(_ version: UInt16) -> String {
        switch version {
        case 0x0002: "SSL 2.0"
        case 0x0300: "SSL 3.0"
        case 0x0301: "TLS 1.0"
        case 0x0302: "TLS 1.1"
        case 0x0303: "TLS 1.2"
        case 0x0304: "TLS 1.3"
        default: "0x" + String(version, radix: 16)
        }
    }

    /// The TLS parts of both directions: after an opening `TLSOpenings` knows, else where `tlsStart`
    /// finds a handshake record.
    static func tlsParts(_ sample: StreamSample) -> (
        client: PacketBytes, server: PacketBytes, carrier: TLSOpenings.Carrier?
    ) {
        if let opening = TLSOpenings.tlsOffsets(client: sample.client, server: sample.server) {
            let server = sample.server[opening.server...]
            if startsWithTLSRecord(server) {
                let client = sample.client[min(opening.client, sample.client.count)...]
                return (client, server, opening.carrier)
            }
        }
        return (tlsPart(sample.client), tlsPart(sample.server), nil)
    }

    public func examine(_ sample: StreamSample) -> [Observation] {
        if let observations = examineSSLv2(sample) { return observations }
        let parts = Self.tlsParts(sample)
        let serverHandshake = Self.handshakeBytes(parts.server)
        let hello = serverHandshake.withPacketBytes { bytes in
            Self.handshakeMessage(2, in: bytes).flatMap(Self.parseServerHello)
        }
        guard let hello else { return [] }
        var detail: [String: String] = ["version": Self.versionName(hello.version)]
        if let carrier = parts.carrier, carrier.isProxy { detail["via"] = carrier.rawValue }
        let clientHandshake = Self.handshakeBytes(parts.client)
        clientHandshake.withPacketBytes { bytes in
            if let clientHello = Self.handshakeMessage(1, in: bytes), let name = Self.serverName(clientHello) {
                detail["serverName"] = name
            }
        }
        var observations: [Observation] = []
        switch hello.version {
        case 0x0300: observations.append(Observation(Self.sslv3, detail: detail))
        case 0x0301: observations.append(Observation(Self.tls10, detail: detail))
        case 0x0302: observations.append(Observation(Self.tls11, detail: detail))
        default: break
        }
        if let cipher = WeakTLSCipherSuites.names[hello.cipherSuite] {
            var cipherDetail = detail
            cipherDetail["cipher"] = cipher
            observations.append(Observation(Self.weakCipher, detail: cipherDetail))
        }
        return observations
    }

    /// SSLv2: a SERVER-HELLO (type 4) from the server is an SSLv2 session; a pure SSLv2 CLIENT-HELLO
    /// (type 1, version 0x0002) that got no TLS answer is an attempt, reported as info. A v2-format
    /// hello offering SSL 3.0 or later is the old compatible hello and says nothing by itself.
    private func examineSSLv2(_ sample: StreamSample) -> [Observation]? {
        if Self.sslv2MessageType(sample.server) == 4 {
            var reader = ByteReader(sample.server)
            if reader.skip(5), let version = reader.readUInt16(), version == 0x0002 {
                return [Observation(Self.sslv2, detail: ["version": "SSL 2.0"])]
            }
        }
        if Self.sslv2MessageType(sample.client) == 1, !Self.startsWithTLSRecord(sample.server) {
            var reader = ByteReader(sample.client)
            if reader.skip(3), let version = reader.readUInt16(), version == 0x0002 {
                return [
                    Observation(
                        Self.sslv2, severity: .info,
                        detail: [
                            "version": "SSL 2.0", "note": "a client offered SSL 2.0 and no server answer was seen",
                        ])
                ]
            }
        }
        return nil
    }
}
