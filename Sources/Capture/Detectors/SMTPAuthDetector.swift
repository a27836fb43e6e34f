/// SMTP authentication without STARTTLS (RFC 4954): an `AUTH` command sent on a connection that had
/// not switched to TLS. The session is recognised by the server's `220` greeting and the client's
/// EHLO/HELO/LHLO; a client that issues STARTTLS before AUTH is fine and not reported.
public struct SMTPAuthDetector: StreamDetector {
    public static let smtpCleartextAuth = LegacyProtocol(
        name: "smtp-cleartext-auth",
        check: CaptureCatalogue.cleartextCredentials,
        title: "SMTP authentication without STARTTLS",
        risk: "the mail account's credentials cross the network unencrypted",
        remediation:
            "Require STARTTLS before AUTH (or use port 465 with TLS) and reset the exposed passwords.",
        severity: .high
    )

    public init() {}

    public func mightMatch(_ sample: StreamSample) -> Bool {
        TextScanning.hasPrefix(sample.server, "220") || TextScanning.hasPrefix(sample.client, "EHLO ")
            || TextScanning.hasPrefix(sample.client, "HELO ")
    }

    public func examine(_ sample: StreamSample) -> [Observation] {
        guard
            TextScanning.hasPrefix(sample.client, "EHLO ") || TextScanning.hasPrefix(sample.client, "HELO ")
                || TextScanning.hasPrefix(sample.client, "LHLO ")
        else {
            return []
        }
        let lines = TextScanning.lines(sample.client)
        for (index, line) in lines.enumerated() {
            let (verb, argument) = TextScanning.command(line)
            if verb == "STARTTLS" { return [] }
            guard verb == "AUTH" else { continue }
            return MailLogin.sasl(argument: argument, lines: lines, at: index).observations(Self.smtpCleartextAuth)
        }
        return []
    }
}
