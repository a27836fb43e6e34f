import Findings

/// `dns.resolver-open`: a resolver on a public address that recursed for this host.
///
/// From one vantage point a probe cannot see who else a resolver serves. What it can see: the
/// resolver resolved a name for this host (RA set, an answer that is not authoritative) and its
/// address is globally reachable (not private, loopback, link-local, CGNAT, documentation...). A
/// resolver on a private address is only reachable from inside and stays quiet. The message asks
/// to confirm from outside the resolver's intended client networks, because this host may be one of
/// its legitimate clients.
public enum ResolverOpen {
    public static let check = Check(
        id: "dns.resolver-open",
        title: "Resolver open to the internet",
        rationale: """
            A resolver that recurses for anyone is used to amplify reflection attacks and to probe or \
            poison its cache, and it hides abuse among legitimate traffic.
            """,
        remediation: """
            Restrict recursion to your own networks (Unbound `access-control`, BIND `allow-recursion`/\
            `allow-query-cache`) or filter port 53 at the edge; a public service needs rate limiting.
            """,
        defaultSeverity: .high
    )

    /// Whether a reply shows the resolver recursed for us.
    static func recursed(_ reply: PacketReply) -> Bool {
        reply.recursionAvailable && !reply.authoritative && reply.rcode == 0 && !reply.answers.isEmpty
    }

    static func judge(_ reply: PacketReply?, resolver: ConfiguredResolver, name: String) -> Finding? {
        guard let reply, recursed(reply), AddressScope.isGlobal(resolver.address.addressOctets) else { return nil }
        return Finding(
            check: check,
            subject: resolver.address.description,
            message: """
                \(resolver.address) is on a public address and resolved \(name) for this host; unless this host \
                is one of its intended clients it recurses for anyone (confirm from an outside network).
                """,
            evidence: [
                "resolver": .string(resolver.address.description),
                "name": .string(name),
                "rcode": .string(reply.rcodeName),
                "recursionAvailable": true,
                "publicAddress": true,
            ],
            location: resolver.location
        )
    }
}
