/// What SMTP, POP3 and IMAP share: reading a SASL exchange (RFC 4422) far enough to learn the
/// mechanism and the user name, and never further than the password.
struct MailLogin {
    var mechanism: String
    var user: String?
    /// The `DOMAIN\user` of each NTLMv1 AUTHENTICATE message a SASL NTLM (or GSS-SPNEGO) exchange sent.
    var ntlmv1Users: [String] = []
    /// Whether a response followed the command (a SASL exchange the client abandoned sent nothing).
    var responded = true

    /// Mechanisms that put the password itself (or a bearer token) on the wire.
    static let passwordMechanisms: Set<String> = ["PLAIN", "LOGIN", "USER/PASS", "XOAUTH2", "OAUTHBEARER"]

    var sendsPassword: Bool { responded && Self.passwordMechanisms.contains(mechanism) }

    /// The SASL login of the AUTH/AUTHENTICATE command at `lines[index]`, whose `argument` is
    /// `MECHANISM [initial-response]`; the client's next two lines are its continuation responses.
    static func sasl(argument: Substring, lines: [Substring], at index: Int) -> MailLogin {
        let (mechanism, initial) = TextScanning.command(argument)
        // A continuation response is base64 (RFC 4422 §5); a line that is a command, or `*` (the
        // client cancelled), ends the exchange: `AUTH LOGIN` then `QUIT` sent no user.
        let following = lines[(index + 1)...].prefix(2).prefix { isContinuation($0) }
        let responses = ([initial] + following).filter { !$0.isEmpty && $0 != "=" }
        var login = MailLogin(mechanism: mechanism, responded: !responses.isEmpty)
        switch mechanism {
        case "PLAIN":
            // authzid NUL authcid NUL password: only the authentication identity is kept.
            if let first = responses.first, let decoded = TextScanning.base64Decode(first) {
                let parts = decoded.split(separator: 0, omittingEmptySubsequences: false)
                if parts.count >= 3 { login.user = TextScanning.userName(parts[1]) }
            }
        case "LOGIN":
            if let first = responses.first, let decoded = TextScanning.base64Decode(first),
                !decoded.isEmpty, decoded.allSatisfy({ (0x20...0x7E).contains($0) || $0 >= 0x80 })
            {
                login.user = TextScanning.userName(decoded)
            }
        case "NTLM", "GSS-SPNEGO", "GSSAPI":
            // Each response is a base64 NTLMSSP message (or a SPNEGO token around one): the third is
            // the AUTHENTICATE, whose NT response length tells NTLMv1 from NTLMv2 ([MS-NLMP]).
            for response in responses {
                guard let decoded = TextScanning.base64Decode(TextScanning.trimmed(response)) else { continue }
                login.ntlmv1Users += decoded.withPacketBytes { NTLMDetector.ntlmv1Users(inMessages: $0) }
            }
        default:
            break
        }
        return login
    }

    /// Mechanisms that never send a password, nor anything a finding of cleartext credentials is
    /// about: NTLM is judged by its version (NTLMv1 is its own finding), Kerberos and GSSAPI not at all.
    static let challengeMechanisms: Set<String> = ["NTLM", "GSSAPI", "GSS-SPNEGO", "KERBEROS_V4", "KERBEROS_V5"]

    /// What the detector reports for this login: a cleartext-credentials observation unless the
    /// mechanism is one of `challengeMechanisms`, and NTLMv1 wherever an NTLMv1 response was sent.
    func observations(_ mailProtocol: LegacyProtocol) -> [Observation] {
        var found = ntlmv1Users.map { Observation(NTLMDetector.ntlmv1, detail: ["user": $0]) }
        if !Self.challengeMechanisms.contains(mechanism) { found.append(observation(mailProtocol)) }
        return found
    }

    /// Whether a client line can be a SASL continuation response: base64 text that is not one of the
    /// mail protocols' commands.
    static func isContinuation(_ line: Substring) -> Bool {
        let text = TextScanning.trimmed(line)
        guard !text.isEmpty, text != "*" else { return false }
        let verb = text.uppercased()
        if commands.contains(verb) || commands.contains(String(verb.prefix { $0 != " " })) { return false }
        return text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "+/=".contains($0)) }
    }

    /// Commands of SMTP, POP3 and IMAP that a client may send instead of a continuation.
    static let commands: Set<String> = [
        "QUIT", "RSET", "NOOP", "EHLO", "HELO", "LHLO", "MAIL", "RCPT", "DATA", "AUTH", "STARTTLS", "HELP", "VRFY",
        "USER", "PASS", "STLS", "CAPA", "LIST", "RETR", "STAT", "LOGOUT",
    ]

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
