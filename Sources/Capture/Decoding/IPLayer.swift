/// The parts of an IPv4 or IPv6 header a flow needs: the addresses, the transport protocol and where
/// its header starts and ends.
public struct IPHeader: Sendable, Hashable {
    public var source: IPAddress
    public var destination: IPAddress
    /// The IP protocol number of the transport (6 TCP, 17 UDP), after any IPv6 extension headers.
    public var transportProtocol: UInt8
    /// Where the transport header starts, from the start of the IP header.
    public var transportOffset: Int
    /// Where the IP payload ends according to the header, from the start of the IP header; may lie
    /// beyond the captured bytes when the snap length cut the packet.
    public var payloadEnd: Int
    /// Where this packet lies in a fragmented datagram; nil when it is whole.
    public var fragment: FragmentPosition?

    /// The place of one fragment in its datagram (RFC 791 §3.2, RFC 8200 §4.5).
    public struct FragmentPosition: Sendable, Hashable {
        /// The datagram's Identification.
        public var id: UInt32
        /// Where this fragment's data goes in the datagram's fragmentable part, in bytes.
        public var offset: Int
        /// More fragments follow (MF / M flag).
        public var more: Bool
        /// Where the fragment's data starts, from the start of the IP header.
        public var dataOffset: Int
        /// The protocol (IPv4) or next header (IPv6) of the fragmentable part.
        public var nextHeader: UInt8
    }
}

public enum IPLayer {
    /// Decodes an IPv4 header (RFC 791).
    public static func decodeIPv4(_ bytes: PacketBytes) -> Result<IPHeader, Anomaly> {
        var reader = ByteReader(bytes)
        guard let versionAndLength = reader.readUInt8() else { return .failure(.ipv4HeaderTruncated) }
        guard versionAndLength >> 4 == 4 else { return .failure(.badIPVersion) }
        let headerLength = Int(versionAndLength & 0x0F) * 4
        guard headerLength >= 20 else { return .failure(.ipv4BadHeaderLength) }
        guard reader.skip(1), let totalLength = reader.readUInt16(), let id = reader.readUInt16(),
            let flagsAndOffset = reader.readUInt16(), reader.skip(1), let proto = reader.readUInt8(),
            reader.skip(2), let source = reader.readUInt32(), let destination = reader.readUInt32(),
            bytes.count >= headerLength
        else { return .failure(.ipv4HeaderTruncated) }
        // Some capture paths (TSO offload) write a zero total length; trust the capture then.
        let end = totalLength == 0 ? bytes.count : Int(totalLength)
        guard end >= headerLength else { return .failure(.ipv4BadTotalLength) }
        return .success(
            IPHeader(
                source: IPAddress(ipv4: source),
                destination: IPAddress(ipv4: destination),
                transportProtocol: proto,
                transportOffset: headerLength,
                payloadEnd: end,
                fragment: flagsAndOffset & 0x3FFF == 0
                    ? nil
                    : IPHeader.FragmentPosition(
                        id: UInt32(id), offset: Int(flagsAndOffset & 0x1FFF) * 8, more: flagsAndOffset & 0x2000 != 0,
                        dataOffset: headerLength, nextHeader: proto)
            )
        )
    }

    /// Decodes an IPv6 header (RFC 8200) and walks its extension headers to the transport.
    public static func decodeIPv6(_ bytes: PacketBytes) -> Result<IPHeader, Anomaly> {
        var reader = ByteReader(bytes)
        guard let first = reader.peekUInt8() else { return .failure(.ipv6HeaderTruncated) }
        guard first >> 4 == 6 else { return .failure(.badIPVersion) }
        guard reader.skip(4), let payloadLength = reader.readUInt16(), var next = reader.readUInt8(),
            reader.skip(1), let sourceHigh = reader.readUInt64(), let sourceLow = reader.readUInt64(),
            let destinationHigh = reader.readUInt64(), let destinationLow = reader.readUInt64()
        else { return .failure(.ipv6HeaderTruncated) }
        var fragment: IPHeader.FragmentPosition?
        walk: while true {
            switch next {
            case 0, 43, 60, 135, 139, 140:  // hop-by-hop, routing, destination options, mobility, HIP, shim6
                guard let following = reader.readUInt8(), let length = reader.readUInt8(),
                    reader.skip(Int(length) * 8 + 6)
                else { return .failure(.ipv6ExtensionTruncated) }
                next = following
            case 44:  // fragment
                guard let following = reader.readUInt8(), reader.skip(1), let offsetAndFlags = reader.readUInt16(),
                    let id = reader.readUInt32()
                else { return .failure(.ipv6ExtensionTruncated) }
                // An atomic fragment (offset 0, no more) is a whole packet (RFC 6946).
                if offsetAndFlags & 0xFFF9 != 0 {
                    fragment = IPHeader.FragmentPosition(
                        id: id, offset: Int(offsetAndFlags >> 3) * 8, more: offsetAndFlags & 1 != 0,
                        dataOffset: reader.offset, nextHeader: following)
                }
                next = following
            case 51:  // authentication header: length in 4-byte units, minus 2
                guard let following = reader.readUInt8(), let length = reader.readUInt8(),
                    reader.skip((Int(length) + 2) * 4 - 2)
                else { return .failure(.ipv6ExtensionTruncated) }
                next = following
            default:
                break walk
            }
            if fragment != nil { break walk }
        }
        return .success(
            IPHeader(
                source: IPAddress(high: sourceHigh, low: sourceLow),
                destination: IPAddress(high: destinationHigh, low: destinationLow),
                transportProtocol: next,
                transportOffset: reader.offset,
                payloadEnd: 40 + Int(payloadLength),
                fragment: fragment
            )
        )
    }
}
