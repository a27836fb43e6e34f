import Findings

/// `dns.resolver-rate-limit-missing`: a resolver answers a burst of identical queries from one
/// client in full, for a name it has just resolved (so every answer comes from its cache), which
/// shows no query rate limiting per client. Such a resolver, if it is reachable by others or by one
/// misbehaving client, can be flooded and used to amplify; the hardening guides name it beside RRL
/// and cookies (Unbound `ip-ratelimit`, BIND `rate-limit` and `fetches-per-zone`, dnsdist
/// `MaxQPSIPRule`).
///
/// The burst is the RRL probe's (`RateLimitBurst`: the same `--burst` bounds and the same verdict) for
/// `--signed-name` A with RD=1, EDNS and no cookie. The name is asked once first; a reply
/// that is not NOERROR, or is truncated, leaves no verdict, since the burst would then measure
/// something else.
public enum ResolverRateLimitMissing {
    public static let check = Check(
        id: "dns.resolver-rate-limit-missing",
        title: "Resolver without query rate limiting",
        rationale: """
            A resolver that answers any number of queries a second from one client can be flooded by one \
            host, and one that others can reach becomes an amplifier for reflected traffic.
            """,
        remediation: """
            Limit queries per client: Unbound `ip-ratelimit`, BIND `rate-limit { responses-per-second …; }` \
            (and `fetches-per-zone` for upstream fetches), dnsdist `MaxQPSIPRule`.
            """,
        defaultSeverity: .medium
    )

    static func probe(_ session: ProbeSession, name: String, count: Int) -> (findings: [Finding], warnings: [String]) {
        guard count > 0 else { return ([], []) }
        let template = PacketQuery(name: name, type: QueryType.a, recursionDesired: true)
        guard template.wireFormat() != nil else { return ([], []) }
        // Resolve the name once, so the burst is answered from the cache.
        guard let warm = try? session.ask(template, retryTruncatedOverTCP: false), warm.rcode == 0, !warm.truncated
        else {
            return (
                [], ["\(session.server): \(name) did not resolve cleanly, so the rate-limiting burst would say nothing"]
            )
        }
        return RateLimitBurst.probe(
            session, template: template, count: count, check: check, name: name, type: "A"
        ) { burst in
            let (outcome, rate, limit) = (burst.outcome, burst.queriesPerSecond, burst.detectableLimit)
            return """
                \(session.server) answered \(outcome.answered) of \(count) identical queries for \(name) A \
                from this host in full (\(outcome.truncated) truncated, \(outcome.lost) lost) at about \(rate) \
                a second: no query rate limiting below \(limit) a second (a higher limit needs a larger --burst).
                """
        }
    }
}
