import Findings

/// `dns.recursion-on-authoritative`: an authoritative server also resolves names outside its zones
/// for this host.
///
/// One query with RD=1 for a name outside the zone (`--outside-name`). Resolved (RA set, not
/// authoritative, NOERROR with an answer) is high; RA set without a resolution (e.g.
/// SERVFAIL because the server cannot reach the internet from where it is) is medium: it offers
/// recursion, it just failed this time. RA clear, REFUSED, or an authoritative answer is quiet.
public enum RecursionOnAuthoritative {
    public static let check = Check(
        id: "dns.recursion-on-authoritative",
        title: "Authoritative server also recurses",
        rationale: """
            A server that both serves zones and resolves for clients can be used for amplification and \
            cache poisoning, and an attack on its cache reaches the zones it serves.
            """,
        remediation: """
            Turn recursion off on authoritative servers (BIND `recursion no;`, or `allow-recursion { none; };`) \
            and run resolvers separately, reachable only by your own clients.
            """,
        defaultSeverity: .high
    )

    static func probe(_ session: ProbeSession, outsideName: String) -> (findings: [Finding], warnings: [String]) {
        let query = PacketQuery(name: outsideName, type: QueryType.a, recursionDesired: true)
        let reply: PacketReply
        do {
            reply = try session.ask(query)
        } catch {
            return (
                [], ["\(session.server): the recursion probe for \(outsideName) got no reply (\(error)); no verdict"]
            )
        }
        guard reply.recursionAvailable, !reply.authoritative else { return ([], []) }
        let resolved = reply.rcode == 0 && !reply.answers.isEmpty
        let evidence: [String: JSONValue] = [
            "server": .string(session.server.description),
            "name": .string(outsideName),
            "rcode": .string(reply.rcodeName),
            "recursionAvailable": true,
            "answers": .int(reply.answers.count),
            "resolved": .bool(resolved),
        ]
        let message =
            resolved
            ? "\(session.server) resolved \(outsideName), a name outside its zones, for this host (RA set, \(reply.rcodeName))."
            : "\(session.server) offers recursion (RA set) but answered \(reply.rcodeName) for \(outsideName), a name outside its zones."
        return (
            [
                Finding(
                    check: check,
                    severity: resolved ? .high : .medium,
                    subject: session.server.description,
                    message: message,
                    evidence: evidence
                )
            ], []
        )
    }
}
