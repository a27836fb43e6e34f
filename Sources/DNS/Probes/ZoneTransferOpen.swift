import Findings

/// `dns.zone-transfer-open`: the server hands the whole zone to this host by AXFR over TCP.
///
/// The transfer is read to its closing SOA (or a time limit) only to count records; nothing of the
/// zone is kept or printed. A refusal (REFUSED/NOTAUTH, a closed or reset connection) is quiet.
public enum ZoneTransferOpen {
    public static let check = Check(
        id: "dns.zone-transfer-open",
        title: "Zone transfer (AXFR) allowed to anyone",
        rationale: """
            A zone transfer hands out every name in the zone at once: hosts, mail and internal names an \
            attacker would otherwise have to guess, and it costs the server far more than a query.
            """,
        remediation: """
            Allow AXFR/IXFR only to the secondary servers, by address and with TSIG (BIND `allow-transfer`, \
            NSD `provide-xfr`, Knot `acl`).
            """,
        defaultSeverity: .high
    )

    /// How far a transfer got.
    struct Transfer {
        var records = 0
        var messages = 0
        var soaRecords = 0
        var refusal: String?
        var complete: Bool { soaRecords >= 2 }
    }

    /// The most a transfer may take in all, in seconds, however fast the server streams.
    static let deadline: Double = 30

    static func probe(_ session: ProbeSession, zone: String) -> (findings: [Finding], warnings: [String]) {
        var query = PacketQuery(name: zone, type: QueryType.axfr, id: ProbeSession.freshID(), edns: false)
        query.recursionDesired = false
        guard let wire = query.wireFormat() else { return ([], ["\(zone) is not a usable zone name"]) }
        var transfer = Transfer()
        var failure: TransportFailure?
        do {
            try QueryTransport.streamTCP(wire, with: session.server, limits: session.limits, deadline: deadline) {
                message in
                guard let reply = PacketReply(wire: message) else {
                    transfer.refusal = "an undecodable message"
                    return false
                }
                transfer.messages += 1
                if reply.rcode != 0 {
                    transfer.refusal = reply.rcodeName
                    return false
                }
                if transfer.records == 0, reply.answers.first?.type != QueryType.soa {
                    transfer.refusal = "a reply that does not start with the zone's SOA"
                    return false
                }
                for record in reply.answers {
                    transfer.records += 1
                    if record.type == QueryType.soa { transfer.soaRecords += 1 }
                }
                return !transfer.complete
            }
        } catch {
            failure = error
        }
        guard transfer.records > 0 else {
            if case .timedOut = failure {
                return ([], ["\(session.server): the AXFR probe of \(zone) timed out over TCP; no verdict"])
            }
            return ([], [])
        }
        let amount = transfer.complete ? "all \(transfer.records)" : "at least \(transfer.records)"
        let finding = Finding(
            check: check,
            subject: session.server.description,
            message: """
                \(session.server) transfers zone \(zone) to anyone by AXFR: \(amount) records in \
                \(transfer.messages) message\(transfer.messages == 1 ? "" : "s").
                """,
            evidence: [
                "server": .string(session.server.description),
                "zone": .string(zone),
                "records": .int(transfer.records),
                "messages": .int(transfer.messages),
                "complete": .bool(transfer.complete),
                "transport": "tcp",
            ]
        )
        return ([finding], [])
    }
}
