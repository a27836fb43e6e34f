import Findings

/// `dns.recursion-on-authoritative`: an authoritative server also resolves names for this host.
///
/// Two queries with RD=1: the zone's SOA, and an A query for a name outside the zone (`--outside-name`,
/// by default the first of example.com., example.net., example.org. outside it). A server sets RA on
/// every answer when it offers recursion to the client (BIND with `recursion yes` does so on in-zone
/// answers too), so RA on either answer shows recursion is offered: medium. The outside name resolved
/// (RA set, not authoritative, NOERROR with an answer) is high. RA clear on both, REFUSED, or an
/// authoritative answer for the outside name is quiet. Worked examples:
/// - BIND `recursion yes` on a host with no route out: SOA answer AA RA, outside query times out →
///   medium (recursion offered; the outside name did not resolve).
/// - BIND `recursion yes` with a reachable upstream: outside name NOERROR, RA, one A → high.
/// - NSD, or BIND `recursion no`: RA clear, outside name REFUSED → nothing.
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

    static func probe(_ session: ProbeSession, zone: String, outsideName: String?) -> (
        findings: [Finding], warnings: [String]
    ) {
        let inZone = try? session.ask(PacketQuery(name: zone, type: QueryType.soa, recursionDesired: true))
        var outside: PacketReply? = nil
        var outsideFailure: String? = nil
        if let outsideName {
            do {
                outside = try session.ask(PacketQuery(name: outsideName, type: QueryType.a, recursionDesired: true))
            } catch {
                outsideFailure = "\(error)"
            }
        }
        let outsideRA = outside.map { $0.recursionAvailable && !$0.authoritative } ?? false
        let inZoneRA = inZone?.recursionAvailable ?? false
        let resolved = outsideRA && outside?.rcode == 0 && !(outside?.answers.isEmpty ?? true)
        guard inZoneRA || outsideRA else {
            if let outsideName, let outsideFailure {
                return (
                    [],
                    [
                        "\(session.server): the recursion probe for \(outsideName) got no reply (\(outsideFailure)); "
                            + "no verdict"
                    ]
                )
            }
            return ([], [])
        }
        let outsideText: String
        switch (outsideName, outside) {
        case (let name?, let reply?) where outsideRA:
            outsideText =
                resolved
                ? "resolved \(name), a name outside its zones, for this host (RA set, \(reply.rcodeName))"
                : "offers recursion (RA set) but answered \(reply.rcodeName) for \(name), a name outside its zones"
        case (let name?, _):
            outsideText =
                "sets RA on its answer to a recursive query for \(zone), so it offers recursion to this host "
                + (outsideFailure != nil
                    ? "(\(name), outside its zones, got no reply: it may not reach the internet)"
                    : "(it did not resolve \(name))")
        case (nil, _):
            outsideText = "sets RA on its answer to a recursive query for \(zone), so it offers recursion to this host"
        }
        var evidence: [String: JSONValue] = [
            "server": .string(session.server.description),
            "name": .optional(outsideName),
            "recursionAvailable": true,
            "recursionAvailableInZone": .bool(inZoneRA),
            "resolved": .bool(resolved),
        ]
        if let outside {
            evidence["rcode"] = .string(outside.rcodeName)
            evidence["answers"] = .int(outside.answers.count)
        }
        return (
            [
                Finding(
                    check: check,
                    severity: resolved ? .high : .medium,
                    subject: session.server.description,
                    message: "\(session.server) \(outsideText).",
                    evidence: evidence
                )
            ], []
        )
    }
}
