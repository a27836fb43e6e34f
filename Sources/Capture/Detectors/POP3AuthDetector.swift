/// POP3 authentication without STLS (RFC 1939, RFC 2595): USER/PASS, APOP or AUTH on a connection
/// the server opened with `+OK` and that had not switched to TLS with STLS.
public struct POP3AuthDetector: StreamDetector {
    public static let pop3CleartextAuth = LegacyProtocol(
        name: "pop3-cleartext-auth",
        check: CaptureCatalogue.cleartextCredentials,
        title: "POP3 authentication without TLS",
        risk: "the mailbox password crosses the network unencrypted",
        remediation: "Require STLS before login (or POP3S on port 995) and reset the exposed passwords.",
        severity: .high
    )

    public init() {}

    public func mightMatch(_ sample: StreamSample) -> Bool {
        TextScanning.hasPrefix(sample.server, "+OK", ignoringCase: false)
    }

    /// Evidence that the server speaks POP3, not merely answers `+OK` (Redis does, to `AUTH <password>`):
    /// a greeting with text after `+OK` (RFC 1939 §4: "+OK POP3 server ready"), or port 110.
    static func isPOP3(_ sample: StreamSample) -> Bool {
        if sample.serverPort == 110 { return true }
        guard TextScanning.hasPrefix(sample.server, "+OK ", ignoringCase: false) else { return false }
        let greeting = TextScanning.lines(sample.server, includeUnfinished: false, maxLines: 1).first ?? ""
        return greeting.dropFirst(4).contains { $0 != " " }
    }

    public func examine(_ sample: StreamSample) -> [Observation] {
        guard Self.isPOP3(sample) else { return [] }
        let lines = TextScanning.lines(sample.client)
        for (index, line) in lines.enumerated() {
            let (verb, argument) = TextScanning.command(line)
            switch verb {
            case "STLS":
                return []
            case "USER":
                let user = TextScanning.userName(argument.utf8)
                return [MailLogin(mechanism: "USER/PASS", user: user).observation(Self.pop3CleartextAuth)]
            case "APOP":
                // APOP sends a digest, not the password: medium, as MailLogin rates it.
                let user = argument.split(separator: " ").first.map { TextScanning.userName($0.utf8) }
                return [MailLogin(mechanism: "APOP", user: user).observation(Self.pop3CleartextAuth)]
            case "AUTH" where !argument.isEmpty:
                return MailLogin.sasl(argument: argument, lines: lines, at: index).observations(Self.pop3CleartextAuth)
            default:
                continue
            }
        }
        return []
    }
}
