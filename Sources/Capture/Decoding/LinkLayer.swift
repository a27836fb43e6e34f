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
    /// DLT_PPP: PPP in HDLC-like framing (RFC 1662), the address and control bytes optional.
    case ppp
    /// DLT_C_HDLC: Cisco HDLC, an address and a control byte, then an EtherType.
    case ciscoHDLC
    /// LINKTYPE_NFLOG: Linux netfilter log (`tcpdump -i nflog`), TLVs in the writer's byte order, the
    /// packet in the payload TLV (type 9).
    case nflog
    /// DLT_IEEE802_11: 802.11 frames without radio headers.
    case ieee80211
    /// DLT_IEEE802_11_RADIO: 802.11 behind a radiotap header.
    case radiotap
    /// DLT_PPI: a Per-Packet Information header, then the frame of the link type it names (802.11).
    case ppi

    /// The framing for a libpcap data link type, or nil when Exposure cannot decode it.
    public init?(dataLinkType: Int32) {
        switch dataLinkType {
        case 1: self = .ethernet
        case 0: self = .null
        case 108: self = .loop
        case 12, 14, 101, 228, 229: self = .raw
        case 113: self = .linuxCooked
        case 276: self = .linuxCookedV2
        case 9: self = .ppp
        case 104: self = .ciscoHDLC
        case 239: self = .nflog
        case 105: self = .ieee80211
        case 127: self = .radiotap
        case 192: self = .ppi
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
    public func decode(_ bytes: PacketBytes) -> Result<(Network, Int), Anomaly> {
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
        case .ppp:
            if reader.peekUInt8() == 0xFF && reader.peekUInt8(ahead: 1) == 0x03 { reader.skip(2) }
            guard let pppProtocol = reader.readUInt16() else { return .failure(.linkHeaderTruncated) }
            return .success((Self.network(ppp: pppProtocol), reader.offset))
        case .ciscoHDLC:
            guard reader.skip(2), let etherType = reader.readUInt16() else { return .failure(.linkHeaderTruncated) }
            return Self.network(etherType: etherType, &reader)
        case .nflog:
            return Self.nflogPayload(&reader)
        case .ieee80211:
            return Self.ieee80211Payload(&reader)
        case .radiotap:
            // Version, pad, a little-endian length covering the whole radiotap header.
            guard reader.skip(2), let length = reader.readUInt16LittleEndian(), reader.skip(Int(length) - 4) else {
                return .failure(.linkHeaderTruncated)
            }
            return Self.ieee80211Payload(&reader)
        case .ppi:
            // Version, flags, a little-endian header length, the link type of what follows (LE).
            guard reader.skip(2), let length = reader.readUInt16LittleEndian(),
                let inner = reader.readUInt32LittleEndian(), reader.skip(Int(length) - 8)
            else { return .failure(.linkHeaderTruncated) }
            switch inner {
            case 105: return Self.ieee80211Payload(&reader)
            case 1: return Self.ethernetPayload(&reader)
            default: return .success((.other, reader.offset))
            }
        }
    }

    static func network(ppp protocolNumber: UInt16) -> Network {
        switch protocolNumber {
        case 0x0021: .ipv4
        case 0x0057: .ipv6
        default: .other
        }
    }

    /// NFLOG: family, version, resource id, then TLVs (length and type in the writer's byte order,
    /// each padded to 4 bytes); the packet is the payload TLV's value.
    static func nflogPayload(_ reader: inout ByteReader) -> Result<(Network, Int), Anomaly> {
        guard let family = reader.readUInt8(), reader.skip(3) else { return .failure(.linkHeaderTruncated) }
        while let first = reader.readUInt16LittleEndian(), let second = reader.readUInt16LittleEndian() {
            // Written on a big-endian machine the length reads byte-swapped: take the smaller reading
            // that fits, as tcpdump does by the file's byte order.
            let length = Int(first) >= 4 && Int(first) - 4 <= reader.remaining ? Int(first) : Int(first.byteSwapped)
            let type = Int(first) == length ? second : second.byteSwapped
            guard length >= 4 else { return .failure(.linkHeaderTruncated) }
            if type == 9 {
                switch family {
                case 2: return .success((.ipv4, reader.offset))
                case 10: return .success((.ipv6, reader.offset))
                default: return .success((.other, reader.offset))
                }
            }
            guard reader.skip((length - 4 + 3) & ~3) else { return .failure(.linkHeaderTruncated) }
        }
        return .success((.other, reader.offset))
    }

    /// An 802.11 data frame (IEEE 802.11-2020 §9.2): frame control, duration, three addresses,
    /// sequence control, a fourth address between access points, QoS and HT control when present,
    /// then the LLC/SNAP header with the EtherType. Management, control and protected frames carry
    /// no IP that can be read.
    static func ieee80211Payload(_ reader: inout ByteReader) -> Result<(Network, Int), Anomaly> {
        guard let control = reader.readUInt8(), let flags = reader.readUInt8() else {
            return .failure(.linkHeaderTruncated)
        }
        guard control >> 2 & 0x3 == 2, flags & 0x40 == 0 else { return .success((.other, reader.offset)) }
        let qos = control & 0x80 != 0
        let header = 22 + (flags & 0x03 == 0x03 ? 6 : 0) + (qos ? 2 : 0) + (qos && flags & 0x80 != 0 ? 4 : 0)
        guard reader.skip(header), let dsap = reader.readUInt8(), let ssap = reader.readUInt8(), reader.skip(4)
        else { return .failure(.linkHeaderTruncated) }
        guard dsap == 0xAA, ssap == 0xAA, let etherType = reader.readUInt16() else {
            return .success((.other, reader.offset))
        }
        return network(etherType: etherType, &reader)
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
