import Findings

/// `dns.cookies-missing`: the server does not answer DNS cookies (RFC 7873, server cookies as in
/// RFC 9018).
///
/// A query carries an 8-octet random client cookie. A valid reply echoes it followed by an 8 to 32
/// octet server cookie; the probe then sends both back and expects them accepted (no BADCOOKIE).
/// Anything else fires and says what came back.
public enum CookiesMissing {
    public static let check = Check(
        id: "dns.cookies-missing",
        title: "DNS cookies not answered",
        rationale: """
            Cookies let clients and servers tell real replies and queries from spoofed ones: they blunt \
            off-path cache poisoning and reflection, and let rate limiting spare legitimate clients.
            """,
        remediation: """
            Enable server cookies: BIND answers them by default (`answer-cookie yes;`), NSD needs \
            `answer-cookie: yes`, as do Unbound releases that have it; share the cookie secret across anycast nodes.
            """,
        defaultSeverity: .low
    )

    /// What the cookie exchange showed.
    enum Verdict: Equatable {
        case valid(serverCookieLength: Int)
        case missing(String)
    }

    /// Judges a reply to a query that carried `clientCookie`.
    static func judge(_ reply: PacketReply, clientCookie: [UInt8]) -> Verdict {
        guard reply.hasEDNS else { return .missing("the reply has no EDNS (OPT) record") }
        guard let cookie = reply.cookie else { return .missing("the reply carries no COOKIE option") }
        guard cookie.count >= 16, cookie.count <= 40 else {
            return .missing("the COOKIE option is \(cookie.count) octets; a server cookie makes it 16 to 40")
        }
        guard Array(cookie.prefix(8)) == clientCookie else {
            return .missing("the COOKIE option does not echo the client cookie")
        }
        return .valid(serverCookieLength: cookie.count - 8)
    }

    /// Asks `name`/`type` with a fresh client cookie and judges the exchange; nil when no reply came.
    static func exchange(_ session: ProbeSession, name: String, type: UInt16, recursionDesired: Bool) -> Verdict? {
        var clientCookie = [UInt8](repeating: 0, count: 8)
        for index in clientCookie.indices { clientCookie[index] = UInt8.random(in: 0...255) }
        let first = PacketQuery(
            name: name,
            type: type,
            recursionDesired: recursionDesired,
            options: [EDNSOption(code: EDNSOptionCode.cookie, data: clientCookie)]
        )
        guard let reply = try? session.ask(first) else { return nil }
        let verdict = judge(reply, clientCookie: clientCookie)
        guard case .valid = verdict, let full = reply.cookie else { return verdict }
        // Send the whole cookie back: a server that made it must accept it.
        var second = first
        second.options = [EDNSOption(code: EDNSOptionCode.cookie, data: full)]
        guard let again = try? session.ask(second) else { return verdict }
        if again.rcode == 23 { return .missing("the server rejected its own cookie with BADCOOKIE") }
        return judge(again, clientCookie: clientCookie)
    }

    static func probe(
        _ session: ProbeSession,
        name: String,
        type: UInt16,
        recursionDesired: Bool
    ) -> (findings: [Finding], warnings: [String]) {
        guard let verdict = exchange(session, name: name, type: type, recursionDesired: recursionDesired) else {
            return ([], ["\(session.server): the cookie probe got no reply; no verdict"])
        }
        guard case .missing(let why) = verdict else { return ([], []) }
        return (
            [
                Finding(
                    check: check,
                    subject: session.server.description,
                    message: "\(session.server) does not answer DNS cookies: \(why).",
                    evidence: ["server": .string(session.server.description), "reply": .string(why)]
                )
            ], []
        )
    }
}
