import Findings

/// Every check the Capture analyzer can report, for `exposure checks`, SARIF rules and the README.
/// The capture checks are reported by many detectors (one file per protocol under `Detectors/`), so
/// their entries live here; each detector's `LegacyProtocol` says which one it reports under.
public enum CaptureCatalogue {
    public static let checks: [Check] = [
        legacyProtocol, weakTLSCipher, weakSSHAlgorithm, cleartextCredentials, versionDisclosed,
        httpSecurityHeadersMissing,
        remoteManagementFromInternet, untrustedResolver,
    ]

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

    /// An SSH session negotiated, or a server accepts, a broken key exchange, cipher or MAC.
    public static let weakSSHAlgorithm = Check(
        id: "capture.weak-ssh-algorithm",
        title: "Weak SSH algorithm negotiated or accepted",
        rationale:
            "RC4 (RFC 8758), CBC-mode and 64-bit-block ciphers, MD5 and truncated MACs, and 1024-bit or "
            + "SHA-1 group exchange Diffie-Hellman (RFC 9142) weaken or break an SSH session's protection; "
            + "a server that lists them in its key exchange hands them to any client that asks.",
        remediation:
            "Remove them from the server's Ciphers, MACs and KexAlgorithms (OpenSSH: sshd -T shows what is "
            + "in force) and upgrade clients that still ask for them.",
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

    /// A server announces its software and version in cleartext.
    public static let versionDisclosed = Check(
        id: "capture.version-disclosed",
        title: "Server software version disclosed",
        rationale:
            "A banner or header naming the product and its version (HTTP Server, X-Powered-By, SSH, FTP and "
            + "mail greetings) tells an attacker which known vulnerabilities to try, without a single probe.",
        remediation:
            "Configure the server to announce no version (e.g. ServerTokens Prod, server_tokens off, "
            + "smtpd_banner without the version, DebianBanner no).",
        defaultSeverity: .low
    )

    /// HTML served over HTTP without the headers that limit script injection, sniffing and framing.
    public static let httpSecurityHeadersMissing = Check(
        id: "capture.http-security-headers-missing",
        title: "HTTP security headers missing",
        rationale:
            "Without Content-Security-Policy, X-Content-Type-Options: nosniff and frame protection "
            + "(X-Frame-Options or CSP frame-ancestors), a page is easier to abuse with injected scripts, "
            + "MIME sniffing and clickjacking.",
        remediation:
            "Send Content-Security-Policy (with frame-ancestors), X-Content-Type-Options: nosniff and "
            + "X-Frame-Options: DENY or SAMEORIGIN on HTML responses.",
        defaultSeverity: .low
    )

    /// SSH, RDP, WinRM, VNC, Telnet or SMB opened from the internet.
    public static let remoteManagementFromInternet = Check(
        id: "capture.remote-management-from-internet",
        title: "Remote management reached from the internet",
        rationale:
            "Management protocols opened directly from public addresses are the first thing attackers scan "
            + "and brute-force; they belong behind a VPN, a bastion or just-in-time access.",
        remediation:
            "Close the management port to the internet; reach it through a VPN, a bastion host or "
            + "just-in-time access, and list your own public ranges with --internal.",
        defaultSeverity: .high
    )

    /// DNS queries sent to a resolver that is not on the approved list.
    public static let untrustedResolver = Check(
        id: "capture.untrusted-resolver",
        title: "DNS queries to an unapproved resolver",
        rationale:
            "Clients that resolve names through resolvers outside the approved ones bypass DNS filtering and "
            + "logging, and may be misconfigured or redirected.",
        remediation:
            "Point the clients at the approved resolvers (DHCP, policy) and block outbound DNS to others.",
        defaultSeverity: .medium
    )
}
