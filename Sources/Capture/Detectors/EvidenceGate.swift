/// The one place every detector's evidence passes before it can reach a report: each detail key has
/// a known kind, and a value is admitted only as that kind. User names, version strings and names
/// pass as bounded printable text; a SASL mechanism passes only when it is on IANA's list (anything
/// else is what a client typed where a mechanism belongs, e.g. a Redis `AUTH <password>` read as
/// POP3, and is masked); fixed vocabularies (cipher names, PDU kinds) pass only as themselves. A key
/// of no known kind is dropped, so a detector added later cannot print a secret by naming a field.
enum EvidenceGate {
    /// What a detail value may be.
    enum Kind {
        /// A login name: printable, at most 64 characters.
        case userName
        /// A SASL mechanism name from IANA's registry, or one of the protocol's own login commands.
        case mechanism
        /// Printable text a server or client announced (a version, a queried name), bounded.
        case text(limit: Int)
        /// One of a fixed set of values the detectors write themselves.
        case vocabulary(Set<String>)
    }

    /// What replaces a mechanism that is not on IANA's list.
    static let unregisteredMechanism = "(not a registered SASL mechanism)"

    /// The admitted keys and their kinds.
    static let kinds: [String: Kind] = [
        "user": .userName,
        "mechanism": .mechanism,
        "version": .text(limit: 100),
        "banner": .text(limit: 100),
        "serverName": .text(limit: 255),
        "name": .text(limit: 255),
        "file": .text(limit: 255),
        "dialect": .text(limit: 64),
        "note": .text(limit: 200),
        "cipher": .vocabulary(Set(WeakTLSCipherSuites.names.values)),
        "algorithm": .vocabulary(SSHAlgorithmsDetector.weakNames),
        "community": .vocabulary(["redacted"]),
        "pdu": .vocabulary(Set(SNMPDetector.pduNames.values)),
        "request": .vocabulary(["read", "write"]),
        "transport": .vocabulary(["tcp", "udp"]),
        "via": .vocabulary(["SOCKS4", "SOCKS5", "HTTP CONNECT"]),
        "missing": .vocabulary(["Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options"]),
    ]

    /// SASL mechanisms registered with IANA ("Simple Authentication and Security Layer (SASL)
    /// Mechanisms", families such as `SCRAM-*` and `GS2-*` by prefix), and the login commands of
    /// POP3 and IMAP that are reported in the same field.
    static let registeredMechanisms: Set<String> = [
        "9798-M-DSA-SHA1", "9798-M-ECDSA-SHA1", "9798-M-RSA-SHA1-ENC", "9798-U-DSA-SHA1", "9798-U-ECDSA-SHA1",
        "9798-U-RSA-SHA1-ENC", "ANONYMOUS", "CRAM-MD5", "DIGEST-MD5", "EAP-AES128", "EAP-AES128-PLUS",
        "ECDH-X25519-CHALLENGE", "ECDSA-NIST256P-CHALLENGE", "EXTERNAL", "GSS-SPNEGO", "GSSAPI", "KERBEROS_V4",
        "KERBEROS_V5", "LOGIN", "NMAS-SAMBA-AUTH", "NMAS_AUTHEN", "NMAS_LOGIN", "NTLM", "OAUTH10A", "OAUTHBEARER",
        "OPENID20", "OTP", "PLAIN", "SAML20", "SECURID", "SKEY", "SPNEGO", "SPNEGO-PLUS", "SXOVER-PLUS", "XOAUTH",
        "XOAUTH2",
        // Not SASL: POP3's USER/PASS and APOP commands.
        "USER/PASS", "APOP",
    ]
    static let registeredFamilies = ["SCRAM-", "GS2-"]

    static func isRegistered(mechanism: String) -> Bool {
        registeredMechanisms.contains(mechanism)
            || registeredFamilies.contains { mechanism.hasPrefix($0) && mechanism.count <= 20 }
    }

    /// The detail as it may be reported: unknown keys dropped, every value admitted as its kind.
    static func admit(_ detail: [String: String]) -> [String: String] {
        var admitted: [String: String] = [:]
        for (key, value) in detail {
            if let value = admit(value, as: key) { admitted[key] = value }
        }
        return admitted
    }

    static func admit(_ value: String, as key: String) -> String? {
        guard let kind = kinds[key] else { return nil }
        switch kind {
        case .userName:
            return bounded(value, limit: 64)
        case .mechanism:
            return isRegistered(mechanism: value) ? value : unregisteredMechanism
        case .text(let limit):
            return bounded(value, limit: limit)
        case .vocabulary(let values):
            return values.contains(value) ? value : nil
        }
    }

    /// Printable characters only (controls, format characters such as bidirectional overrides,
    /// private-use and unassigned code points become `?`), cut at `limit` characters.
    private static func bounded(_ value: String, limit: Int) -> String {
        // Most values are short printable ASCII already: kept as they are, without a copy.
        if value.utf8.count <= limit && value.utf8.allSatisfy({ (0x20...0x7E).contains($0) }) { return value }
        var kept = String.UnicodeScalarView()
        for scalar in value.unicodeScalars.prefix(limit) { kept.append(isPrintable(scalar) ? scalar : "?") }
        return String(kept)
    }

    static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII { return (0x20...0x7E).contains(scalar.value) }
        switch scalar.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator:
            return false
        default:
            return true
        }
    }
}
