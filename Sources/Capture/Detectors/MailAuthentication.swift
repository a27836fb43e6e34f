/// What SMTP, POP3 and IMAP share: reading a SASL exchange (RFC 4422) far enough to learn the
/// mechanism and the user name, and never further than the password.
struct MailLogin {
    var mechanism: String
    var user: String?

    /// Mechanisms that put the password itself (or a bearer token) on the wire.
    static let passwordMechanisms: Set<String> = ["PLAIN", "LOGIN", "USER/PASS", "XOAUTH2", "OAUTHBEARER"]

    var sendsPassword: Bool { Self.passwordMechanisms.contains(mechanism) }

    /// A SASL login starting at `lines[index]` (the AUTH/AUTHENTICATE line) whose mechanism and optional
    /// initial response are given; the client's following lines are its continuation responses.
    static func sasl(mechanism: String, initialResponse: Substring?, following: ArraySlice<Substring>) -> MailLogin {
        var login = MailLogin(mechanism: mechanism)
        let responses = ([initialResponse].compactMap { $0 } + following).filter { !$0.isEmpty && $0 != "=" }
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

    /// The finding detail for this login.
    var detail: [String: String] {
        var detail = ["mechanism": mechanism]
        if let user { detail["user"] = user }
        return detail
    }
}
