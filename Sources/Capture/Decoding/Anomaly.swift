/// A packet that could not be decoded, named after the layer and what was wrong (Zeek calls these
/// "weirds"). Anomalies are counted and reported as a warning; they never stop a run.
public enum Anomaly: String, Error, Sendable, Hashable, CaseIterable {
    case linkHeaderTruncated = "link-layer header cut short"
    case vlanTagTruncated = "VLAN tag cut short"
    case encapsulationTruncated = "MPLS, PPPoE, GRE or VXLAN header cut short"
    case encapsulationTooDeep = "more than 4 tunnels nested"
    case ipv4HeaderTruncated = "IPv4 header cut short"
    case ipv4BadHeaderLength = "IPv4 header length below 20 bytes"
    case ipv4BadTotalLength = "IPv4 total length shorter than its header"
    case ipv6HeaderTruncated = "IPv6 header cut short"
    case ipv6ExtensionTruncated = "IPv6 extension header cut short"
    case badIPVersion = "IP version neither 4 nor 6"
    case tcpHeaderTruncated = "TCP header cut short"
    case tcpBadDataOffset = "TCP data offset below 20 bytes"
    case udpHeaderTruncated = "UDP header cut short"
}
