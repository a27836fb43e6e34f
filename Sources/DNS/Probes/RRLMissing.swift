import Findings

/// `dns.rrl-missing`: the server answers every one of a burst of identical queries in full, so it can
/// be used to reflect and amplify traffic at a spoofed victim.
///
/// The burst (`--burst`, default 200) is sent once, paced at most 1,000 queries a second, for the zone's
/// apex NS set with EDNS but without cookies (a valid server cookie exempts a client from rate limiting
/// on NSD, BIND and Knot). Response rate limiting shows as truncated "slipped" replies (TC=1) and
/// silence. The verdict: any truncated reply, or at least a tenth of the queries unanswered, is rate
/// limiting; otherwise it fires. A limit at or above the burst's size per second cannot be seen, and the
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

    /// The fastest the burst is ever sent.
    public static let maximumPerSecond = 1000

    /// The lowest per-second limit the burst cannot have missed: rate limiters count responses per
    /// second, so a burst shorter than a second trips only limits below its size. Debian's NSD limits
    /// at 200 a second by default, which the default burst of 200 cannot see; `--burst 500` or more does.
    static func detectableLimit(sent: Int, seconds: Double) -> Int {
        Int((Double(sent) / max(1, seconds)).rounded())
    }

    /// Whether the counts show rate limiting.
    static func showsRateLimiting(_ outcome: BurstOutcome) -> Bool {
        outcome.truncated > 0 || outcome.lost * 10 >= outcome.sent
    }

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
        let outcome: BurstOutcome
        do {
            outcome = try QueryBurst.run(
                count: count,
                perSecond: maximumPerSecond,
                to: session.server,
                firstID: ProbeSession.freshID(),
                quietPeriod: min(1, session.limits.timeout)
            ) { id in
                var query = template
                query.id = id
                return query.wireFormat() ?? []
            }
        } catch {
            return ([], ["\(session.server): the rate-limiting burst failed (\(error)); no verdict"])
        }
        guard !showsRateLimiting(outcome) else { return ([], []) }
        let rate = min(Int((Double(count) / max(outcome.sendingSeconds, 0.001)).rounded()), maximumPerSecond)
        let limit = detectableLimit(sent: count, seconds: outcome.sendingSeconds)
        return (
            [
                Finding(
                    check: check,
                    subject: session.server.description,
                    message: """
                        \(session.server) answered \(outcome.answered) of \(count) identical queries for \(zone) NS \
                        in full (\(outcome.truncated) truncated, \(outcome.lost) lost) at about \(rate) a second: no \
                        response rate limiting below \(limit) responses a second (a higher limit needs a larger --burst).
                        """,
                    evidence: [
                        "server": .string(session.server.description),
                        "name": .string(zone),
                        "type": "NS",
                        "sent": .int(count),
                        "answered": .int(outcome.answered),
                        "truncated": .int(outcome.truncated),
                        "lost": .int(outcome.lost),
                        "queriesPerSecond": .int(rate),
                        "detectableLimit": .int(limit),
                    ]
                )
            ], []
        )
    }
}
