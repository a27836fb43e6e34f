import Findings

/// `dns.rrl-missing`: the server answers every one of a burst of identical queries in full, so it can
/// be used to reflect and amplify traffic at a spoofed victim.
///
/// The burst (`--burst`, default 200; see `RateLimitBurst`, which also judges it) asks for the zone's
/// apex NS set with EDNS but without cookies (a valid server cookie exempts a client from rate limiting
/// on NSD, BIND and Knot). A limit at or above the burst's size per second cannot be seen, and the
/// message says so (`detectableLimit`).
/// The apex NS query is asked once first: if that reply is truncated because it is too large for UDP
/// (its TCP answer exceeds the advertised 1,232 octets), TC in the burst would mean nothing, so there
/// is no verdict. The other probes ask for the SOA, so the burst does not
/// rate-limit their answers.
public enum RRLMissing {
    public static let check = Check(
        id: "dns.rrl-missing",
        title: "No response rate limiting",
        rationale: """
            Without response rate limiting an authoritative server answers a flood of spoofed queries in \
            full and becomes an amplifier in reflection attacks.
            """,
        remediation: """
            Enable RRL with slip: BIND `rate-limit { responses-per-second 10; slip 2; };`, NSD `rrl-ratelimit` \
            (with `rrl-slip`), Knot `rrl` module; exempt your own monitoring by address, not by turning it off.
            """,
        defaultSeverity: .medium
    )

    static func probe(_ session: ProbeSession, zone: String, count: Int) -> (findings: [Finding], warnings: [String]) {
        guard count > 0 else { return ([], []) }
        let template = PacketQuery(name: zone, type: QueryType.ns)
        guard template.wireFormat() != nil else { return ([], []) }
        // A truncated single reply is either a slip (rate limiting still active from an earlier run)
        // or an answer too large for UDP; only the second makes truncation in the burst meaningless.
        if let single = try? session.ask(template, retryTruncatedOverTCP: false), single.truncated,
            (try? session.askTCP(template)).map({ $0.wireSize > Int(template.udpPayloadSize) }) ?? true
        {
            return (
                [],
                [
                    "\(session.server): the \(zone) NS reply is too large for UDP; the rate-limiting burst would say nothing"
                ]
            )
        }
        return RateLimitBurst.probe(
            session, template: template, count: count, check: check, name: zone, type: "NS"
        ) { burst in
            let (outcome, rate, limit) = (burst.outcome, burst.queriesPerSecond, burst.detectableLimit)
            return """
                \(session.server) answered \(outcome.answered) of \(count) identical queries for \(zone) NS \
                in full (\(outcome.truncated) truncated, \(outcome.lost) lost) at about \(rate) a second: no \
                response rate limiting below \(limit) responses a second (a higher limit needs a larger --burst).
                """
        }
    }
}
