/// SNMP version 1 and 2c (RFC 1157, RFC 1901): a message whose version field is 0 (v1) or 1 (v2c)
/// authenticates with a community string sent in cleartext. The community is never reported, only
/// that one was sent; a SetRequest (write access) makes it high.
public struct SNMPDetector: DatagramDetector {
    public static let snmpv1 = LegacyProtocol(
        name: "snmpv1",
        check: CaptureCatalogue.legacyProtocol,
        title: "SNMPv1",
        risk: "its community string is a password sent in cleartext with every request",
        remediation: "Move the managers and agents to SNMPv3 with authPriv and disable v1/v2c.",
        severity: .medium
    )
    public static let snmpv2c = LegacyProtocol(
        name: "snmpv2c",
        check: CaptureCatalogue.legacyProtocol,
        title: "SNMPv2c",
        risk: "its community string is a password sent in cleartext with every request",
        remediation: "Move the managers and agents to SNMPv3 with authPriv and disable v1/v2c.",
        severity: .medium
    )

    static let pduNames: [UInt8: String] = [
        0xA0: "get-request", 0xA1: "get-next-request", 0xA2: "response", 0xA3: "set-request", 0xA4: "trap",
        0xA5: "get-bulk-request", 0xA6: "inform-request", 0xA7: "snmpV2-trap", 0xA8: "report",
    ]

    public init() {}

    public func examine(_ datagram: DatagramSample) -> Observation? {
        var reader = ByteReader(datagram.payload)
        guard let message = BERElement.read(&reader), message.tag == 0x30 else { return nil }
        var fields = ByteReader(message.contents)
        guard let version = BERElement.read(&fields)?.integer, version == 0 || version == 1,
            let community = BERElement.read(&fields), community.tag == 0x04, let pdu = fields.peekUInt8(),
            let pduName = Self.pduNames[pdu]
        else { return nil }
        let detail = ["community": "redacted", "pdu": pduName]
        return Observation(
            version == 0 ? Self.snmpv1 : Self.snmpv2c, severity: pdu == 0xA3 ? .high : nil, detail: detail)
    }
}
