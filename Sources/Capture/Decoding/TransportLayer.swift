/// TCP or UDP, the two transports flows are built from.
public enum Transport: String, Sendable, Hashable {
    case tcp
    case udp

    public var protocolNumber: UInt8 { self == .tcp ? 6 : 17 }
}

/// The TCP flags a flow engine looks at.
public struct TCPFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let fin = TCPFlags(rawValue: 0x01)
    public static let syn = TCPFlags(rawValue: 0x02)
    public static let rst = TCPFlags(rawValue: 0x04)
    public static let psh = TCPFlags(rawValue: 0x08)
    public static let ack = TCPFlags(rawValue: 0x10)
}

/// A TCP or UDP header and where its payload lies.
public struct TransportHeader: Sendable, Hashable {
    public var transport: Transport
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    /// TCP only: sequence number and flags.
    public var sequence: UInt32
    public var flags: TCPFlags
    /// Where the payload starts, from the start of the transport header.
    public var payloadOffset: Int
}

public enum TransportLayer {
    /// Decodes a TCP header (RFC 9293); options are stepped over.
    public static func decodeTCP(_ bytes: PacketBytes) -> Result<TransportHeader, Anomaly> {
        var reader = ByteReader(bytes)
        guard let sourcePort = reader.readUInt16(), let destinationPort = reader.readUInt16(),
            let sequence = reader.readUInt32(), reader.skip(4), let offsetByte = reader.readUInt8(),
            let flags = reader.readUInt8()
        else { return .failure(.tcpHeaderTruncated) }
        let headerLength = Int(offsetByte >> 4) * 4
        guard headerLength >= 20 else { return .failure(.tcpBadDataOffset) }
        guard bytes.count >= headerLength else { return .failure(.tcpHeaderTruncated) }
        return .success(
            TransportHeader(
                transport: .tcp,
                sourcePort: sourcePort,
                destinationPort: destinationPort,
                sequence: sequence,
                flags: TCPFlags(rawValue: flags),
                payloadOffset: headerLength
            )
        )
    }

    /// Decodes a UDP header (RFC 768).
    public static func decodeUDP(_ bytes: PacketBytes) -> Result<TransportHeader, Anomaly> {
        var reader = ByteReader(bytes)
        guard let sourcePort = reader.readUInt16(), let destinationPort = reader.readUInt16(), reader.skip(4) else {
            return .failure(.udpHeaderTruncated)
        }
        return .success(
            TransportHeader(
                transport: .udp,
                sourcePort: sourcePort,
                destinationPort: destinationPort,
                sequence: 0,
                flags: [],
                payloadOffset: 8
            )
        )
    }
}
