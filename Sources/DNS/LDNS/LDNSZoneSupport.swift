import CLDNS

/// Small helpers the zone files of the libldns layer share.
enum LDNSZoneSupport {
    /// libldns' own text for a status code.
    static func message(_ status: ldns_status) -> String {
        guard let text = ldns_get_errorstr_by_id(status) else { return "libldns error \(status.rawValue)" }
        return String(cString: text)
    }

    /// A libldns name for `name`, which the caller must free with `ldns_rdf_deep_free`.
    static func dname(_ name: DomainName) -> UnsafeMutablePointer<ldns_rdf>? {
        ldns_dname_new_frm_str(name.text)
    }
}
