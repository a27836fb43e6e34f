import Findings

/// `dns.resolver-untrusted`: a host sends its queries to a resolver that is not on the approved list
/// (`--approved`). Without a list, each configured resolver is reported at info severity, so that the
/// report still says who sees the host's queries. A resolver from resolv.conf carries the file's
/// `search` list and `options` (e.g. `trust-ad`, `edns0`) in its evidence.
public enum ResolverUntrusted {
    public static let check = Check(
        id: "dns.resolver-untrusted",
        title: "Resolver not on the approved list",
        rationale: """
            A resolver sees every name a host looks up and decides every answer it gets: an unapproved \
            one can log, filter or forge them, and bypasses the protections of the approved resolvers.
            """,
        remediation: """
            Point the host at the approved resolvers only (resolv.conf, DHCP option 6, systemd-resolved \
            DNS=), or add this resolver to the approved list if it is one of yours.
            """,
        defaultSeverity: .high
    )

    /// An approved resolver: an address, and a port when one was given.
    struct Approved: Hashable {
        var host: String
        var port: UInt16?

        var text: String {
            guard let port else { return host }
            return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        }

        func covers(_ server: ServerAddress) -> Bool {
            host == server.host && (port == nil || port == server.port)
        }
    }

    /// Parses `IP[:PORT],...`; throws naming the first entry that is not an address.
    static func parseApproved(_ list: String) throws(InputError) -> [Approved] {
        var approved: [Approved] = []
        for entry in list.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !entry.isEmpty {
            guard let address = ServerAddress(parsing: entry) else {
                throw InputError(reason: "--approved entry '\(entry)' is not IP[:PORT]")
            }
            let portGiven = entry.hasPrefix("[") ? entry.contains("]:") : (!address.isIPv6 && entry.contains(":"))
            approved.append(Approved(host: address.host, port: portGiven ? address.port : nil))
        }
        guard !approved.isEmpty else { throw InputError(reason: "--approved lists no resolver") }
        return approved
    }

    static func judge(_ resolver: ConfiguredResolver, approved: [Approved]?) -> Finding? {
        var evidence: [String: JSONValue] = [
            "resolver": .string(resolver.address.description),
            "configuredBy": .string(resolver.origin),
        ]
        if let approved { evidence["approved"] = .strings(approved.map(\.text)) }
        if let search = resolver.search { evidence["search"] = .strings(search) }
        if let options = resolver.options { evidence["options"] = .strings(options) }
        guard let approved else {
            return Finding(
                check: check,
                severity: .info,
                subject: resolver.address.description,
                message:
                    "\(resolver.address) is a configured resolver (\(resolver.origin)); no --approved list was given to judge it.",
                evidence: evidence,
                location: resolver.location
            )
        }
        guard !approved.contains(where: { $0.covers(resolver.address) }) else { return nil }
        return Finding(
            check: check,
            subject: resolver.address.description,
            message: "\(resolver.address) (\(resolver.origin)) is not an approved resolver.",
            evidence: evidence,
            location: resolver.location
        )
    }
}
