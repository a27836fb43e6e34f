/// IMAP authentication without STARTTLS (RFC 9051): a `LOGIN` or `AUTHENTICATE` command on a
/// connection the server opened with `* OK` and that had not switched to TLS with STARTTLS.
public struct IMAPAuthDetector: StreamDetector {
    public static let imapCleartextAuth = LegacyProtocol(
        name: "imap-cleartext-auth",
        check: CaptureCatalogue.cleartextCredentials,
        title: "IMAP authentication without TLS",
        risk: "the mailbox password crosses the network unencrypted",
        remediation: "Require STARTTLS before login (or IMAPS on port 993) and reset the exposed passwords.",
        severity: .high
    )

    public init() {}

    public func mightMatch(_ sample: StreamSample) -> Bool {
        TextScanning.hasPrefix(sample.server, "* OK") || TextScanning.hasPrefix(sample.server, "* PREAUTH")
    }

    /// The first argument of a LOGIN command: an atom or a quoted string.
    static func firstArgument(_ text: Substring) -> Substring {
        if text.first == "\"" {
            let rest = text.dropFirst()
            return rest.prefix { $0 != "\"" }
        }
        return text.prefix { $0 != " " }
    }

    public func examine(_ sample: StreamSample) -> [Observation] {
        guard mightMatch(sample) else { return [] }
        let lines = TextScanning.lines(sample.client)
        for (index, line) in lines.enumerated() {
            // Each command is `tag VERB arguments`.
            let (_, command) = TextScanning.command(line)
            let (verb, argument) = TextScanning.command(command)
            switch verb {
            case "STARTTLS":
                return []
            case "LOGIN":
                let user = TextScanning.userName(Self.firstArgument(argument).utf8)
                return [MailLogin(mechanism: "LOGIN", user: user).observation(Self.imapCleartextAuth)]
            case "AUTHENTICATE":
                return MailLogin.sasl(argument: argument, lines: lines, at: index).observations(Self.imapCleartextAuth)
            default:
                continue
            }
        }
        return []
    }
}
