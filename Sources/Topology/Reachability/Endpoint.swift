import Findings

/// What `--from` and `--to` name: `internet`, an IP address, a resource name (VM, else NIC),
/// `subnet:VNET/SUBNET`, or `tag:KEY=VALUE`.
public enum Endpoint: Sendable, Hashable, CustomStringConvertible {
    case internet
    case address(NetworkAddress)
    case resource(String)
    case subnet(network: String, subnet: String)
    case tag(key: String, value: String)

    /// Parses the command-line form; throws `InputError` naming the problem.
    public init(parsing text: String) throws {
        let t = text.trimmingSpaces()
        if t.lowercased() == "internet" {
            self = .internet
        } else if let address = NetworkAddress(t) {
            self = .address(address)
        } else if t.lowercased().hasPrefix("subnet:") {
            let rest = t.dropFirst("subnet:".count)
            let parts = rest.split(separator: "/", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw InputError(
                    file: nil, place: nil, reason: "'\(text)': write a subnet as subnet:VNET/SUBNET")
            }
            self = .subnet(network: parts[0], subnet: parts[1])
        } else if t.lowercased().hasPrefix("tag:") {
            let rest = t.dropFirst("tag:".count)
            guard let eq = rest.firstIndex(of: "="), eq != rest.startIndex else {
                throw InputError(file: nil, place: nil, reason: "'\(text)': write a tag as tag:KEY=VALUE")
            }
            self = .tag(key: String(rest[..<eq]), value: String(rest[rest.index(after: eq)...]))
        } else if t.isEmpty {
            throw InputError(file: nil, place: nil, reason: "an empty endpoint")
        } else {
            self = .resource(t)
        }
    }

    public var description: String {
        switch self {
        case .internet: "internet"
        case .address(let a): a.description
        case .resource(let name): name
        case .subnet(let v, let s): "subnet:\(v)/\(s)"
        case .tag(let k, let v): "tag:\(k)=\(v)"
        }
    }

    /// The default target of `paths`: assets tagged `tier=crown-jewel`.
    public static let crownJewels = Endpoint.tag(key: "tier", value: "crown-jewel")
}
