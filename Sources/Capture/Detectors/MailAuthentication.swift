/// What SMTP, POP3 and IMAP share: reading a SASL exchange (RFC 4422) far enough to learn the
/// mechanism and the user name, and never further than the password.
struct MailLogin {
    var mechanism: String
    var user: String?

    /// Mechanisms that put the password itself (or a bearer token) on the wire.
    static let passwordMechanisms: Set<String> = ["PLAIN", "LOGIN", "USER/PASS", "XOAUTH2", "OAUTHBEARER"]

    var sendsPassword: Bool { Self.passwordMechanisms.contains(mechanism) }

    /// The SASL login of the AUTH/AUTHENTICATE command at `lines[index]`, whose `argument` is
    /// `MECHANISM [initial-response]`; the client's next two lines are its continuation responses.
    static func sasl(argument: Substring, lines: [Substring], at index: Int) -> MailLogin {
        let (mechanism, initial) = TextScanning.command(argument)
        var login = MailLogin(mechanism: mechanism)
        let following = lines[(index + 1)...].prefix(2)
        let responses = ([initial] + following).filter { !$0.isEmpty && $0 != "=" }
        switch mechanism {
        case "PLAIN":
            // authzid NUL authcid NUL password: only the authentication identity is kept.
            if let first = responses.first, let decoded = TextScanning.base64Decode(first) {
                let parts = decoded.split(separator: 0, omittingEmptySubsequences: false)
                if parts.count >= 3 { login.user = TextScanning.userName(parts[1]) }
            }
        case "LOGIN":
            if let first = responses.first, let decoded = TextScanning.base64Decode(first) {
                login.user = TextScanning.userName(decoded)
            }
        default:
            break
        }
        return login
    }

    /// What the detector reports for this login: high when the password itself (or a bearer token)
    /// crossed the network, medium when only a challenge response or a digest did.
    func observation(_ mailProtocol: LegacyProtocol) -> Observation {
        Observation(mailProtocol, severity: sendsPassword ? .high : .medium, detail: detail)
    }

    /// The finding detail for this login.
    var detail: [String: String] {
        var detail = ["mechanism": mechanism]
        if let user { detail["user"] = user }
        return detail
    }
}
