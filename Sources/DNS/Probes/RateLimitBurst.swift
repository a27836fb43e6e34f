import Findings

/// The one burst both rate-limit probes send (`dns.rrl-missing` at an authoritative server,
/// `dns.resolver-rate-limit-missing` at a resolver): `--burst` identical queries made from one
/// template, each with its own ID, paced at most 1,000 a second, sent once and never retried, then
/// judged by the same rule. Rate limiting shows as truncated "slipped" replies (TC=1) or as silence
/// (Unbound's `ip-ratelimit` drops without a word): any truncated reply, or at least a tenth of the
/// queries unanswered, counts as limiting.
enum RateLimitBurst {
    /// The fastest the burst is ever sent.
    static let maximumPerSecond = 1000
    /// The largest burst accepted (`--burst`).
    static let maximumCount = 10_000

    /// Refuses a `--burst` outside 0 (no burst) to `maximumCount`.
    static func checkCount(_ count: Int) throws(InputError) {
        guard (0...maximumCount).contains(count) else {
            throw InputError(reason: "--burst must be between 0 and \(maximumCount), not \(count)")
        }
    }

    /// A burst answered in full: the counts, the rate it was sent at and the lowest limit it would
    /// have seen.
    struct Unlimited {
        var outcome: BurstOutcome
        var queriesPerSecond: Int
        var detectableLimit: Int

        /// The evidence of the finding, the same keys for both probes.
        func evidence(server: ServerAddress, name: String, type: String) -> [String: JSONValue] {
            [
                "server": .string(server.description),
                "name": .string(name),
                "type": .string(type),
                "sent": .int(outcome.sent),
                "answered": .int(outcome.answered),
                "truncated": .int(outcome.truncated),
                "lost": .int(outcome.lost),
                "queriesPerSecond": .int(queriesPerSecond),
                "detectableLimit": .int(detectableLimit),
            ]
        }
    }

    /// What a burst showed.
    enum Verdict {
        /// Truncated replies or silence: the server limits this client.
        case limited
        /// Every query answered in full.
        case unlimited(Unlimited)
        /// The burst could not be sent: the warning to give, and no verdict.
        case failed(String)
    }

    /// Sends the burst for `template` (asking `name`, `type`) and reports `check` with `message` when it
    /// was answered in full; a burst that could not be sent is a warning and no verdict.
    static func probe(
        _ session: ProbeSession, template: PacketQuery, count: Int, check: Check, name: String, type: String,
        message: (Unlimited) -> String
    ) -> (findings: [Finding], warnings: [String]) {
        switch measure(session, template: template, count: count) {
        case .limited: return ([], [])
        case .failed(let warning): return ([], [warning])
        case .unlimited(let burst):
            return (
                [
                    Finding(
                        check: check, subject: session.server.description, message: message(burst),
                        evidence: burst.evidence(server: session.server, name: name, type: type))
                ], []
            )
        }
    }

    /// Sends the burst for `template` to the session's server and judges it.
    static func measure(_ session: ProbeSession, template: PacketQuery, count: Int) -> Verdict {
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
            return .failed("\(session.server): the rate-limiting burst failed (\(error)); no verdict")
        }
        guard !showsRateLimiting(outcome) else { return .limited }
        let rate = min(Int((Double(count) / max(outcome.sendingSeconds, 0.001)).rounded()), maximumPerSecond)
        return .unlimited(
            Unlimited(
                outcome: outcome, queriesPerSecond: rate,
                detectableLimit: detectableLimit(sent: count, seconds: outcome.sendingSeconds)))
    }

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
}
