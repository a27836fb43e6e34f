import Findings

/// Every check the Capture analyzer can report, for `exposure checks`, SARIF rules and the README.
/// The capture checks are reported by many detectors (one file per protocol under `Detectors/`), so
/// their entries live here; each detector's `LegacyProtocol` says which one it reports under.
public enum CaptureCatalogue {
    public static let checks: [Check] = [legacyProtocol, weakTLSCipher, cleartextCredentials]

    /// A protocol that should have been retired is still in use: Telnet, FTP, TFTP, the r-commands,
    /// SSH-1, SSLv2/SSLv3/TLS 1.0/1.1, SMBv1, NTLMv1, SNMPv1/v2c, LLMNR, NetBIOS name service.
    public static let legacyProtocol = Check(
        id: "capture.legacy-protocol",
        title: "Legacy protocol in use",
        rationale:
            "Legacy protocols send credentials or data without protection, or use broken cryptography; "
            + "the captures show which servers and clients still depend on them.",
        remediation:
            "Move the listed clients to the modern replacement, then disable the legacy protocol on the server.",
        defaultSeverity: .high
    )

    /// The server chose a TLS cipher suite that gives little or no protection.
    public static let weakTLSCipher = Check(
        id: "capture.weak-tls-cipher",
        title: "Weak TLS cipher suite chosen by the server",
        rationale:
            "NULL, EXPORT, RC4, DES, 3DES and anonymous cipher suites can be read or tampered with by an "
            + "attacker on the path; what counts is the suite the server chose, not what a client offered.",
        remediation:
            "Remove NULL, EXPORT, RC4, DES, 3DES and anonymous suites from the server's TLS configuration.",
        defaultSeverity: .high
    )

    /// A password or equivalent crossed the network in cleartext.
    public static let cleartextCredentials = Check(
        id: "capture.cleartext-credentials",
        title: "Credentials sent in cleartext",
        rationale:
            "Anyone on the path can read a password sent without encryption; one captured login is enough "
            + "to reuse it.",
        remediation:
            "Require TLS (STARTTLS, LDAPS, HTTPS) before authentication, or a mechanism that never sends "
            + "the password, and reset the passwords that were exposed.",
        defaultSeverity: .high
    )
}
