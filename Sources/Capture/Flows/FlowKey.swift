/// A 5-tuple in canonical order (the lower address-and-port first), so both directions of a
/// conversation find the same entry with one hash lookup.
struct FlowKey: Hashable {
    var lowAddress: IPAddress
    var highAddress: IPAddress
    var lowPort: UInt16
    var highPort: UInt16
    var transport: UInt8

    /// The key for a packet and whether the packet travels from the low side to the high side.
    static func of(_ packet: DecodedPacket) -> (key: FlowKey, fromLow: Bool) {
        let source = packet.source
        let destination = packet.destination
        let sourcePort = packet.transport.sourcePort
        let destinationPort = packet.transport.destinationPort
        let fromLow = source < destination || (source == destination && sourcePort <= destinationPort)
        let key =
            fromLow
            ? FlowKey(
                lowAddress: source, highAddress: destination, lowPort: sourcePort, highPort: destinationPort,
                transport: packet.transport.transport.protocolNumber)
            : FlowKey(
                lowAddress: destination, highAddress: source, lowPort: destinationPort, highPort: sourcePort,
                transport: packet.transport.transport.protocolNumber)
        return (key, fromLow)
    }

    /// The key's words mixed into one well-spread 64-bit value (a splitmix64 finish).
    var mixedHash: UInt64 {
        var mixed = lowAddress.low &* 0x9E37_79B9_7F4A_7C15
        mixed ^= highAddress.low &* 0xC2B2_AE3D_27D4_EB4F
        mixed ^= (lowAddress.high ^ highAddress.high.rotatedLeft(17)) &* 0x1656_67B1_9E37_79F9
        mixed ^= UInt64(lowPort) << 24 | UInt64(highPort) << 8 | UInt64(transport)
        mixed ^= mixed >> 31
        mixed &*= 0xBF58_476D_1CE4_E5B9
        mixed ^= mixed >> 29
        return mixed
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(mixedHash)
    }
}

extension UInt64 {
    fileprivate func rotatedLeft(_ count: UInt64) -> UInt64 { self << count | self >> (64 - count) }
}
