/// The link-layer framings Exposure decodes, by their libpcap DLT numbers, and where the IP header
/// starts in each. Anything else is refused up front with the link type's name, rather than yielding a
/// silent empty report.
public enum LinkLayer: Sendable, Hashable {
    /// DLT_EN10MB, with any number of 802.1Q / 802.1ad (QinQ) tags, MPLS labels and PPPoE sessions.
    case ethernet
    /// DLT_NULL: a 4-byte address family in the writer's byte order (BSD loopback).
    case null
    /// DLT_LOOP: the same family word in network byte order (OpenBSD loopback).
    case loop
    /// DLT_RAW and LINKTYPE_IPV4/IPV6: the packet starts with the IP header.
    case raw
    /// DLT_LINUX_SLL: Linux "cooked" capture, what `tcpdump -i any` wrote before libpcap 1.10.
    case linuxCooked
    /// DLT_LINUX_SLL2: Linux cooked capture v2, what `tcpdump -i any` writes now.
    case linuxCookedV2

    /// The framing for a libpcap data link type, or nil when Exposure cannot decode it.
    public init?(dataLinkType: Int32) {
        switch dataLinkType {
        case 1: self = .ethernet
        case 0: self = .null
        case 108: self = .loop
        case 12, 14, 101, 228, 229: self = .raw
        case 113: self = .linuxCooked
        case 276: self = .linuxCookedV2
        default: return nil
        }
    }

    /// What follows the link header.
    public enum Network: Sendable, Hashable {
        case ipv4
        case ipv6
        /// A frame that carries something other than IP (ARP, LLDP, STP, …): not an error, just not ours.
        case other
    }

    /// Finds the network layer: its kind and the offset where it starts.
    public func decode(_ bytes: UnsafeRawBufferPointer) -> Result<(Network, Int), Anomaly> {
        var reader = ByteReader(bytes)
        switch self {
        case .ethernet:
            return Self.ethernetPayload(&reader)
        case .null, .loop:
            guard let word = reader.readUInt32() else { return .failure(.linkHeaderTruncated) }
            // The family is in the byte order of the machine that wrote the file: try both.
            let family = self == .loop ? word : (word > 0xFFFF ? word.byteSwapped : word)
            switch family {
            case 2: return .success((.ipv4, 4))
            case 10, 24, 28, 30: return .success((.ipv6, 4))
            default: return .success((.other, 4))
            }
        case .raw:
            guard let first = reader.peekUInt8() else { return .failure(.linkHeaderTruncated) }
            switch first >> 4 {
            case 4: return .success((.ipv4, 0))
            case 6: return .success((.ipv6, 0))
            default: return .failure(.badIPVersion)
            }
        case .linuxCooked:
            guard reader.skip(14), let protocolType = reader.readUInt16() else {
                return .failure(.linkHeaderTruncated)
            }
            return Self.network(etherType: protocolType, &reader)
        case .linuxCookedV2:
            guard let protocolType = reader.readUInt16(), reader.skip(18) else {
                return .failure(.linkHeaderTruncated)
            }
            return Self.network(etherType: protocolType, &reader)
        }
    }

    /// An Ethernet frame from its destination address on (also what VXLAN and GRE's transparent
    /// bridging carry).
    static func ethernetPayload(_ reader: inout ByteReader) -> Result<(Network, Int), Anomaly> {
        guard reader.skip(12), let etherType = reader.readUInt16() else { return .failure(.linkHeaderTruncated) }
        return network(etherType: etherType, &reader)
    }

    /// What an EtherType announces, read on from `reader` (just after the EtherType): 802.1Q/802.1ad
    /// VLAN tags, an MPLS label stack (RFC 3032) and a PPPoE session (RFC 2516) are stepped over to
    /// the IP packet inside.
    static func network(etherType first: UInt16, _ reader: inout ByteReader) -> Result<(Network, Int), Anomaly> {
        var etherType = first
        while true {
            switch etherType {
            case 0x0800: return .success((.ipv4, reader.offset))
            case 0x86DD: return .success((.ipv6, reader.offset))
            case 0x8100, 0x88A8, 0x9100:
                guard reader.skip(2), let inner = reader.readUInt16() else { return .failure(.vlanTagTruncated) }
                etherType = inner
            case 0x8847, 0x8848:
                // Label stack entries of 4 bytes until the one with the bottom-of-stack bit; then the
                // payload says what it is only by its first nibble (RFC 4385 pseudowires start with 0).
                var entries = 0
                while true {
                    guard let entry = reader.readUInt32() else { return .failure(.encapsulationTruncated) }
                    entries += 1
                    if entry & 0x100 != 0 { break }
                    guard entries < 16 else { return .success((.other, reader.offset)) }
                }
                guard let first = reader.peekUInt8() else { return .failure(.encapsulationTruncated) }
                switch first >> 4 {
                case 4: return .success((.ipv4, reader.offset))
                case 6: return .success((.ipv6, reader.offset))
                default: return .success((.other, reader.offset))
                }
            case 0x8864:
                // PPPoE session header (version/type, code, session, length), then the PPP protocol: two
                // bytes, or one when compressed (RFC 1661 §6.5: a first byte with its low bit set).
                guard reader.skip(6), let high = reader.readUInt8() else { return .failure(.encapsulationTruncated) }
                var pppProtocol = UInt16(high)
                if high & 1 == 0 {
                    guard let low = reader.readUInt8() else { return .failure(.encapsulationTruncated) }
                    pppProtocol = pppProtocol << 8 | UInt16(low)
                }
                switch pppProtocol {
                case 0x0021: return .success((.ipv4, reader.offset))
                case 0x0057: return .success((.ipv6, reader.offset))
                default: return .success((.other, reader.offset))
                }
            default:
                return .success((.other, reader.offset))
            }
        }
    }
}
