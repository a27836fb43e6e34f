import Findings
import Foundation

/// `dns.version-disclosed`: the server answers the CHAOS-class TXT names that reveal its software
/// version or identity (`version.bind`, `version.server`, `hostname.bind`, `id.server`).
///
/// An answer with any non-empty text fires; REFUSED, an empty answer or silence is quiet.
public enum VersionDisclosed {
    public static let check = Check(
        id: "dns.version-disclosed",
        title: "Server version or identity disclosed",
        rationale: """
            A version string tells an attacker which known vulnerabilities to try; a host name or server \
            id maps anycast or internal infrastructure.
            """,
        remediation: """
            Hide them: BIND `version none; hostname none; server-id none;`, NSD `hide-version: yes` and \
            `hide-identity: yes`, Unbound `hide-version: yes` and `hide-identity: yes`.
            """,
        defaultSeverity: .low
    )

    /// The names asked, in the order they are reported.
    static let names = ["version.bind", "version.server", "hostname.bind", "id.server"]

    static func probe(_ session: ProbeSession) -> [Finding] {
        var answers: [String: JSONValue] = [:]
        for name in names {
            let query = PacketQuery(name: name, type: QueryType.txt, recordClass: QueryClass.chaos, edns: false)
            guard let reply = try? session.ask(query), reply.rcode == 0 else { continue }
            let text = reply.answers.filter { $0.type == QueryType.txt }.flatMap(\.texts).joined(separator: " ")
            if !text.trimmingCharacters(in: .whitespaces).isEmpty { answers[name] = .string(text) }
        }
        guard !answers.isEmpty else { return [] }
        let listed = names.compactMap { name in
            answers[name].map { value -> String in
                if case .string(let text) = value { return "\(name) \"\(text)\"" }
                return name
            }
        }
        return [
            Finding(
                check: check,
                subject: session.server.description,
                message: "\(session.server) discloses \(listed.joined(separator: ", ")) to anyone (CHAOS TXT).",
                evidence: ["server": .string(session.server.description), "answers": .object(answers)]
            )
        ]
    }
}
