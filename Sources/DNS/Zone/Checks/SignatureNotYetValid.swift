import Findings

/// `dns.dnssec-signature-not-yet-valid`: an RRSIG whose inception is after the judged moment, often a
/// signer whose clock runs ahead or a zone signed with a future inception.
enum SignatureNotYetValid: ZoneCheck {
    static let check = Check(
        id: "dns.dnssec-signature-not-yet-valid",
        title: "Signature not yet valid",
        rationale: "Validating resolvers reject signatures before their inception time, so data signed only "
            + "with future signatures does not validate yet.",
        remediation: "Check the signer's clock and re-sign with an inception time in the past (an hour back is usual).",
        defaultSeverity: .critical
    )

    static func findings(in context: ZoneAnalysisContext) -> [Finding] {
        SignatureWindowFindings.findings(in: context, check: check, window: .notYetValid) { verdict in
            let inception = context.clock.text(verdict.signature.data.inception)
            return ("is not valid before \(inception)", ["inception": .string(inception)])
        }
    }
}
