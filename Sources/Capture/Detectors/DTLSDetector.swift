/// DTLS (RFC 6347), TLS over UDP, judged like TLS by what the server chose: the ServerHello in a
/// DTLS handshake record names the version and the cipher suite. DTLS 1.0 (0xFEFF, and 0x0100, the
/// pre-RFC version OpenSSL still speaks as `DTLS1_BAD_VER`) is TLS 1.1 underneath, which RFC 8996
/// deprecates: it is reported as `tls1.0` (the protocol docs/capture.md names), with `transport` `udp`.
/// A weak suite the server chose is reported as with TLS.
public struct DTLSDetector: DatagramDetector {
    public init() {}

    /// A DTLS record header is 13 bytes: type, version, epoch, 48-bit sequence number, length.
    static let recordHeaderSize = 13
    /// A DTLS handshake header is 12 bytes: type, length, message_seq, fragment offset and length.
    static let handshakeHeaderSize = 12

    static func versionName(_ version: UInt16) -> String {
        switch version {
        case 0xFEFF: "DTLS 1.0"
        case 0x0100: "DTLS 1.0 (0x0100, pre-RFC)"
        case 0xFEFD: "DTLS 1.2"
        case 0xFEFC: "DTLS 1.3"
        default: "0x" + String(version, radix: 16)
        }
    }

    /// The ServerHello in the datagram's records (a datagram may hold several), if there is one.
    static func serverHello(_ payload: PacketBytes) -> TLSDetector.ServerHello? {
        var records = ByteReader(payload)
        while let type = records.readUInt8(), let version = records.readUInt16(), records.skip(8),
            let length = records.readUInt16(), let fragment = records.readBytes(Int(length))
        {
            guard type == 22, version == 0xFEFF || version == 0xFEFD || version == 0x0100 else { continue }
            var handshake = ByteReader(fragment)
            guard let messageType = handshake.readUInt8(), messageType == 2, handshake.skip(5),
                let offset = handshake.readUInt24(), offset == 0, handshake.skip(3)
            else { continue }
            return TLSDetector.parseServerHello(handshake.readRest())
        }
        return nil
    }

    public func examine(_ datagram: DatagramSample) -> Observation? {
        observations(datagram).first
    }

    public func observations(_ datagram: DatagramSample) -> [Observation] {
        guard datagram.payload.count > Self.recordHeaderSize + Self.handshakeHeaderSize, datagram.payload[0] == 22,
            datagram.payload[1] == 0xFE || datagram.payload[1] == 0x01,
            let hello = Self.serverHello(datagram.payload)
        else { return [] }
        let detail = ["version": Self.versionName(hello.version)]
        var found: [Observation] = []
        if hello.version == 0xFEFF || hello.version == 0x0100 {
            found.append(Observation(TLSDetector.tls10, detail: detail))
        }
        if let cipher = WeakTLSCipherSuites.names[hello.cipherSuite] {
            found.append(Observation(TLSDetector.weakCipher, detail: detail.merging(["cipher": cipher]) { $1 }))
        }
        return found
    }
}
