/// A zone's DNSSEC chain of trust as the HTML report draws it, after DNSViz: the DS records (trust
/// anchors) that name keys, the zone's DNSKEYs, and the RRsets those keys sign, each link marked
/// with what verification found. Only the HTML report reads it; the JSON and SARIF documents carry
/// the same facts as findings.
public struct TrustChain: Sendable, Hashable {
    /// What verification found for a node or a link.
    public enum Status: String, Sendable, Hashable {
        /// Verifies now.
        case secure
        /// Does not verify, or names nothing.
        case bogus
        /// Verifies, but outside its validity window (expired or not yet valid).
        case expired
        /// Cannot be judged (an algorithm that cannot be checked here, no anchor given).
        case insecure
    }

    public enum Kind: String, Sendable, Hashable { case ds, dnskey, rrset }

    public struct Node: Sendable, Hashable {
        public var id: String
        public var kind: Kind
        public var label: String
        public var detail: String
        public var status: Status

        public init(id: String, kind: Kind, label: String, detail: String, status: Status) {
            self.id = id
            self.kind = kind
            self.label = label
            self.detail = detail
            self.status = status
        }
    }

    public struct Link: Sendable, Hashable {
        public var from: String
        public var to: String
        public var status: Status

        public init(from: String, to: String, status: Status) {
            self.from = from
            self.to = to
            self.status = status
        }
    }

    public var zone: String
    public var nodes: [Node]
    public var links: [Link]

    public init(zone: String, nodes: [Node], links: [Link]) {
        self.zone = zone
        self.nodes = nodes
        self.links = links
    }
}
