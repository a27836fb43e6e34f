import CLDNS

/// One record of a reply's answer section: enough to tell what was answered without keeping the
/// whole record. TXT records keep their character strings (CHAOS version answers are TXT).
public struct PacketRecord: Sendable, Hashable {
    public var owner: String
    public var type: UInt16
    public var recordClass: UInt16
    /// The character strings of a TXT record, decoded as UTF-8 (lossy); empty for other types.
    public var texts: [String]
}

/// A reply decoded by libldns into Swift values.
public struct PacketReply: Sendable, Hashable {
    public var id: UInt16
    /// The full response code: the header's four bits plus the OPT record's upper eight
    /// (BADCOOKIE, 23, needs both).
    public var rcode: Int
    public var isResponse: Bool
    public var authoritative: Bool
    public var truncated: Bool
    public var recursionDesired: Bool
    public var recursionAvailable: Bool
    public var authenticatedData: Bool
    public var checkingDisabled: Bool
    public var answers: [PacketRecord]
    public var authorityCount: Int
    public var hasEDNS: Bool
    public var options: [EDNSOption]
    /// The size of the message on the wire, in octets.
    public var wireSize: Int

    /// Decodes `bytes`, or returns nil when they are not a DNS message libldns can read.
    public init?(wire bytes: [UInt8]) {
        var parsed: UnsafeMutablePointer<ldns_pkt>?
        let status = bytes.withUnsafeBufferPointer { buffer -> ldns_status in
            guard let base = buffer.baseAddress else { return LDNS_STATUS_ERR }
            return ldns_wire2pkt(&parsed, base, buffer.count)
        }
        guard status == LDNS_STATUS_OK, let packet = parsed else { return nil }
        defer { ldns_pkt_free(packet) }
        wireSize = bytes.count
        id = ldns_pkt_id(packet)
        rcode = Int(ldns_pkt_edns_extended_rcode(packet)) << 4 | Int(ldns_pkt_get_rcode(packet).rawValue & 0xF)
        isResponse = ldns_pkt_qr(packet)
        authoritative = ldns_pkt_aa(packet)
        truncated = ldns_pkt_tc(packet)
        recursionDesired = ldns_pkt_rd(packet)
        recursionAvailable = ldns_pkt_ra(packet)
        authenticatedData = ldns_pkt_ad(packet)
        checkingDisabled = ldns_pkt_cd(packet)
        authorityCount = Int(ldns_pkt_nscount(packet))
        hasEDNS = ldns_pkt_edns(packet)
        answers = Self.records(of: ldns_pkt_answer(packet))
        options = []
        if let list = ldns_pkt_edns_get_option_list(packet) {
            for index in 0..<ldns_edns_option_list_get_count(list) {
                guard let option = ldns_edns_option_list_get_option(list, index) else { continue }
                let size = ldns_edns_get_size(option)
                let data: [UInt8]
                if size > 0, let bytes = ldns_edns_get_data(option) {
                    data = Array(UnsafeBufferPointer(start: bytes, count: size))
                } else {
                    data = []
                }
                options.append(
                    EDNSOption(code: UInt16(truncatingIfNeeded: ldns_edns_get_code(option).rawValue), data: data))
            }
        }
    }

    private static func records(of list: UnsafeMutablePointer<ldns_rr_list>?) -> [PacketRecord] {
        guard let list else { return [] }
        var records: [PacketRecord] = []
        for index in 0..<ldns_rr_list_rr_count(list) {
            guard let rr = ldns_rr_list_rr(list, index) else { continue }
            let type = UInt16(truncatingIfNeeded: ldns_rr_get_type(rr).rawValue)
            var texts: [String] = []
            if type == QueryType.txt {
                for field in 0..<ldns_rr_rd_count(rr) {
                    guard let rdf = ldns_rr_rdf(rr, field), let data = ldns_rdf_data(rdf) else { continue }
                    let size = ldns_rdf_size(rdf)
                    // A character-string: one length octet, then that many octets.
                    guard size >= 1 else { continue }
                    let length = min(Int(data[0]), size - 1)
                    let bytes = UnsafeBufferPointer(start: data + 1, count: length)
                    texts.append(String(decoding: bytes, as: UTF8.self))
                }
            }
            records.append(
                PacketRecord(
                    owner: Self.text(of: ldns_rr_owner(rr)),
                    type: type,
                    recordClass: UInt16(truncatingIfNeeded: ldns_rr_get_class(rr).rawValue),
                    texts: texts
                )
            )
        }
        return records
    }

    private static func text(of rdf: UnsafeMutablePointer<ldns_rdf>?) -> String {
        guard let rdf, let cString = ldns_rdf2str(rdf) else { return "" }
        defer { free(cString) }
        return String(cString: cString)
    }

    /// The extended DNS errors (RFC 8914) the reply carries: info code and extra text.
    public var extendedErrors: [(code: Int, text: String)] {
        options.filter { $0.code == EDNSOptionCode.extendedError && $0.data.count >= 2 }.map { option in
            let code = Int(option.data[0]) << 8 | Int(option.data[1])
            let text = String(decoding: option.data.dropFirst(2), as: UTF8.self)
            return (code, text)
        }
    }

    /// The payload of the reply's COOKIE option, if it has one.
    public var cookie: [UInt8]? {
        options.first { $0.code == EDNSOptionCode.cookie }?.data
    }

    /// The response code by its mnemonic (RFC 1035, 2136, 6891, 7873).
    public var rcodeName: String { Self.rcodeName(rcode) }

    public static func rcodeName(_ rcode: Int) -> String {
        switch rcode {
        case 0: "NOERROR"
        case 1: "FORMERR"
        case 2: "SERVFAIL"
        case 3: "NXDOMAIN"
        case 4: "NOTIMP"
        case 5: "REFUSED"
        case 9: "NOTAUTH"
        case 16: "BADVERS"
        case 23: "BADCOOKIE"
        default: "RCODE\(rcode)"
        }
    }
}
