import Findings

/// `dns.dnssec-signature-expired`: an RRSIG whose expiration is before the judged moment (RFC 4034
/// §3.1.5 serial arithmetic, so windows past 2038 and 2106 are judged right).
enum SignatureExpired: ZoneCheck {
    static let check = Check(
        id: "dns.dnssec-signature-expired",
        title: "Signature expired",
        rationale: "Validating resolvers reject data whose signatures have all expired; the usual cause is a "
            + "signer that stopped re-signing.",
        remediation: "Re-sign the zone and make sure re-signing runs well before signatures expire.",
        defaultSeverity: .critical
    )

    static func findings(in context: ZoneAnalysisContext) -> [Finding] {
        SignatureWindowFindings.findings(in: context, check: check, window: .expired) { verdict in
            let expiry = context.clock.text(verdict.signature.data.expiration)
            let days = -verdict.secondsToExpiry / 86_400
            return (
                "expired at \(expiry)\(days > 0 ? " (\(days) days ago)" : "")",
                ["expiration": .string(expiry)]
            )
        }
    }
}
