import CLDNS

/// Record types and classes the probes ask for, by their IANA numbers.
public enum QueryType {
    public static let a: UInt16 = 1
    public static let ns: UInt16 = 2
    public static let soa: UInt16 = 6
    public static let txt: UInt16 = 16
    public static let aaaa: UInt16 = 28
    public static let axfr: UInt16 = 252
}

public enum QueryClass {
    public static let internet: UInt16 = 1
    public static let chaos: UInt16 = 3
}

/// EDNS option codes (IANA "DNS EDNS0 Option Codes").
public enum EDNSOptionCode {
    /// RFC 7873 DNS cookies.
    public static let cookie: UInt16 = 10
    /// RFC 8914 extended DNS errors.
    public static let extendedError: UInt16 = 15
}

/// One EDNS option as code and payload.
public struct EDNSOption: Sendable, Hashable {
    public var code: UInt16
    public var data: [UInt8]

    public init(code: UInt16, data: [UInt8]) {
        self.code = code
        self.data = data
    }
}

/// A query a probe sends, in Swift values. Built into wire format by libldns so that it can carry
/// EDNS options, which `ldns_resolver_query` cannot.
public struct PacketQuery: Sendable, Hashable {
    public var name: String
    public var type: UInt16
    public var recordClass: UInt16
    public var id: UInt16
    public var recursionDesired: Bool
    public var checkingDisabled: Bool
    /// Adds an OPT record (EDNS0) advertising `udpPayloadSize`.
    public var edns: Bool
    public var dnssecOK: Bool
    public var udpPayloadSize: UInt16
    public var options: [EDNSOption]

    public init(
        name: String,
        type: UInt16,
        recordClass: UInt16 = QueryClass.internet,
        id: UInt16 = 0,
        recursionDesired: Bool = false,
        checkingDisabled: Bool = false,
        edns: Bool = true,
        dnssecOK: Bool = false,
        udpPayloadSize: UInt16 = 1232,
        options: [EDNSOption] = []
    ) {
        self.name = name
        self.type = type
        self.recordClass = recordClass
        self.id = id
        self.recursionDesired = recursionDesired
        self.checkingDisabled = checkingDisabled
        self.edns = edns || dnssecOK || !options.isEmpty
        self.dnssecOK = dnssecOK
        self.udpPayloadSize = udpPayloadSize
        self.options = options
    }

    /// Whether `name` is a domain name libldns accepts (labels up to 63 octets, name up to 255).
    public static func isValidName(_ name: String) -> Bool {
        guard !name.isEmpty, let rdf = ldns_dname_new_frm_str(name) else { return false }
        ldns_rdf_deep_free(rdf)
        return true
    }

    /// The query in DNS wire format, or nil when libldns refuses the name.
    public func wireFormat() -> [UInt8]? {
        guard let owner = ldns_dname_new_frm_str(name) else { return nil }
        var flags = UInt16(0)
        if recursionDesired { flags |= UInt16(LDNS_RD) }
        if checkingDisabled { flags |= UInt16(LDNS_CD) }
        // The packet takes ownership of `owner`.
        guard
            let packet = ldns_pkt_query_new(
                owner,
                ldns_rr_type(rawValue: UInt32(type)),
                ldns_rr_class(rawValue: UInt32(recordClass)),
                flags
            )
        else { return nil }
        defer { ldns_pkt_free(packet) }
        ldns_pkt_set_id(packet, id)
        if edns {
            ldns_pkt_set_edns_udp_size(packet, udpPayloadSize)
            ldns_pkt_set_edns_do(packet, dnssecOK)
            if !options.isEmpty {
                guard let list = ldns_edns_option_list_new() else { return nil }
                for option in options {
                    let added = option.data.withUnsafeBytes { bytes in
                        ldns_edns_new_from_data(
                            ldns_edns_option_code(rawValue: UInt32(option.code)),
                            bytes.count,
                            bytes.baseAddress
                        )
                    }
                    guard let added, ldns_edns_option_list_push(list, added) else {
                        ldns_edns_option_list_deep_free(list)
                        return nil
                    }
                }
                // The packet owns the list from here on.
                ldns_pkt_set_edns_option_list(packet, list)
            }
        }
        var wire: UnsafeMutablePointer<UInt8>?
        var size = 0
        guard ldns_pkt2wire(&wire, packet, &size) == LDNS_STATUS_OK, let wire else { return nil }
        defer { free(wire) }
        return Array(UnsafeBufferPointer(start: wire, count: size))
    }
}
