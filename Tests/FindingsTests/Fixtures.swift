import Findings

/// A fixed set of findings and warnings that exercises every renderer feature: all location shapes,
/// nested evidence, characters JSON must escape, and an order the report must change.
enum Fixtures {
    static let exposedPort = Check(
        id: "topology.internet-exposed-port",
        title: "Sensitive port reachable from the internet",
        rationale: "Management ports open to the internet are scanned and brute-forced within minutes.",
        remediation: "Allow the port only from known admin addresses, or use a bastion.",
        defaultSeverity: .critical
    )

    static let legacy = Check(
        id: "capture.legacy-protocol",
        title: "Legacy protocol in use",
        rationale: "Legacy protocols send credentials and data in cleartext.",
        remediation: "Replace the protocol with its encrypted successor.",
        defaultSeverity: .high
    )

    static let expiring = Check(
        id: "dns.dnssec-signature-expiring",
        title: "DNSSEC signatures expire soon",
        rationale: "When signatures expire, validating resolvers answer SERVFAIL for the zone.",
        remediation: "Re-sign the zone.",
        defaultSeverity: .medium
    )

    static var report: Report {
        Report(
            findings: [
                Finding(
                    check: expiring,
                    subject: "example.com.",
                    message: "The earliest signature expires in 3 days.",
                    evidence: ["earliestExpiry": "2026-11-24T00:00:00Z", "days": 3],
                    location: SourceLocation(file: "Zones/example.com.zone", line: 12)
                ),
                Finding(
                    check: legacy,
                    subject: "10.0.0.5:2323",
                    message: "Telnet is in use on 10.0.0.5 port 2323.",
                    evidence: [
                        "protocol": "telnet", "clients": ["10.0.0.7", "10.0.0.9"], "packets": 42,
                        "note": "said \"hi\"\nand left",
                    ],
                    location: SourceLocation(file: "Captures/telnet-on-port-2323.pcap")
                ),
                Finding(
                    check: exposedPort,
                    subject: "nic-jump",
                    message: "SSH (22/tcp) on nic-jump is reachable from the internet.",
                    evidence: ["ports": [22], "decidedBy": [["nsg": "nsg-hub", "rule": "allow-ssh"]]],
                    location: SourceLocation(
                        file: "Topologies/hub.json",
                        pointer: "/resources/3/properties/securityRules/0"
                    )
                ),
                Finding(
                    check: legacy,
                    severity: .info,
                    subject: "10.0.0.8:445",
                    message: "A client offered SMB1 dialects; the server chose SMB2.",
                    remediation: "Disable SMB1 on the clients."
                ),
            ],
            warnings: ["Captures/cut.pcap: packet 7: the file ends inside a packet record"]
        )
    }
}
