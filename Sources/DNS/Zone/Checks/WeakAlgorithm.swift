import Findings

/// `dns.dnssec-weak-algorithm`: keys and digests current practice rules out. RFC 8624 §3.1 says
/// RSAMD5, DSA, DSA-NSEC3-SHA1 and ECC-GOST MUST NOT be used to sign, RSASHA1 and RSASHA1-NSEC3-SHA1
/// are NOT RECOMMENDED (and several validators now treat SHA-1 signatures as insecure); RSA keys
/// under 2048 bits are below what NIST SP 800-57 accepts; §3.3 says SHA-1 DS digests MUST NOT be used
/// for new delegations and GOST ones MUST NOT be used at all. No offline verifier reports these.
enum WeakAlgorithm: ZoneCheck {
    static let readsVerdicts = false
    static let check = Check(
        id: "dns.dnssec-weak-algorithm",
        title: "Weak DNSSEC algorithm, key size or digest",
        rationale: "Deprecated algorithms (RFC 8624) and short RSA keys can be forged or are treated as "
            + "insecure by current validators, so the zone loses its protection or stops validating.",
        remediation: "Roll to ECDSAP256SHA256 (13) or ED25519 (15) keys, or RSASHA256 of at least 2048 bits, "
            + "and publish SHA-256 DS records.",
        defaultSeverity: .high
    )

    /// Signing algorithms RFC 8624 rules out, with why.
    static let ruledOut: [UInt8: String] = [
        1: "MUST NOT be used (RFC 8624)", 3: "MUST NOT be used (RFC 8624)", 6: "MUST NOT be used (RFC 8624)",
        12: "MUST NOT be used (RFC 8624)", 5: "is NOT RECOMMENDED: SHA-1 (RFC 8624)",
        7: "is NOT RECOMMENDED: SHA-1 (RFC 8624)",
    ]

    static func findings(in context: ZoneAnalysisContext) -> [Finding] {
        var findings: [Finding] = []
        let dnskeySet = context.zone.rrset(context.origin, .dnskey)
        let location = dnskeySet.map(context.location(of:))
        for key in context.keys {
            let name = DNSSECAlgorithm.name(key.algorithm)
            let role = key.isSecureEntryPoint ? "KSK" : "ZSK"
            var evidence: [String: JSONValue] = [
                "keyTag": .int(Int(key.keyTag)), "algorithm": .string(name), "role": .string(role),
            ]
            if let why = ruledOut[key.algorithm] {
                findings.append(
                    Finding(
                        check: check, subject: context.origin.text,
                        message: "The \(role) \(key.keyTag) uses \(name), which \(why).", evidence: evidence,
                        location: location))
            }
            if let bits = key.rsaModulusBits, bits < 2048 {
                evidence["bits"] = .int(bits)
                findings.append(
                    Finding(
                        check: check, severity: bits <= 1024 ? .high : .medium, subject: context.origin.text,
                        message: "The \(role) \(key.keyTag) is an RSA key of \(bits) bits; use at least 2048.",
                        evidence: evidence, location: location))
            }
        }
        for name in context.zone.names where name.authority.isInChain {
            for i in name.rrsets where [RecordType.ds, RecordType(59)].contains(context.zone.type(of: i)) {
                let set = context.zone.materialise(i)
                for ds in set.rdatas.compactMap(DSData.init) where ds.digestType == 1 || ds.digestType == 3 {
                    let digest = DNSSECAlgorithm.digestName(ds.digestType)
                    findings.append(
                        Finding(
                            check: check, severity: ds.digestType == 1 ? .medium : .high, subject: name.owner.text,
                            message: "The \(set.type) record \(ds.keyTag) of \(name.owner.text) uses a \(digest) "
                                + "digest; publish SHA-256 instead (RFC 8624).",
                            evidence: [
                                "keyTag": .int(Int(ds.keyTag)), "digestType": .string(digest),
                                "type": .string(set.type.description),
                            ],
                            location: context.location(of: set)))
                }
                // Digest types 1, 2 and 4 are in use, 3 (GOST) is deprecated; 0 is the CDS delete form.
                // A validator ignores a DS of an unknown digest type (RFC 4035 §5.2, RFC 6840 §5.2).
                for ds in set.rdatas.compactMap(DSData.init)
                where !(1...4).contains(ds.digestType) && !(set.type == RecordType(59) && ds.algorithm == 0) {
                    findings.append(
                        Finding(
                            check: check, severity: .medium, subject: name.owner.text,
                            message: "The \(set.type) record \(ds.keyTag) of \(name.owner.text) uses digest type "
                                + "\(ds.digestType), which validators do not know and ignore; publish SHA-256 (2).",
                            evidence: [
                                "keyTag": .int(Int(ds.keyTag)), "digestType": .string(String(ds.digestType)),
                                "type": .string(set.type.description),
                            ],
                            location: context.location(of: set)))
                }
            }
        }
        for anchor in context.trustAnchors {
            if case .ds(let ds, let line) = anchor, ds.digestType == 1 || ds.digestType == 3 {
                findings.append(
                    Finding(
                        check: check, severity: .medium, subject: context.origin.text,
                        message: "The trust anchor DS \(ds.keyTag) uses a \(DNSSECAlgorithm.digestName(ds.digestType)) "
                            + "digest; use SHA-256 (RFC 8624).",
                        evidence: [
                            "keyTag": .int(Int(ds.keyTag)),
                            "digestType": .string(DNSSECAlgorithm.digestName(ds.digestType)),
                        ],
                        location: SourceLocation(file: context.options.trustAnchorFile, line: line)))
            }
        }
        return findings
    }
}
