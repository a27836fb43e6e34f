import Findings

/// `topology.legacy-protocol-allowed`: an allow rule that really lets a cleartext or legacy protocol
/// — Telnet, FTP, TFTP, SMB, NetBIOS, the r-services, SNMP — in from the internet or across a segment
/// boundary (from another subnet or VNet).
///
/// These protocols carry credentials in clear or have a long history of wormable flaws; inside one
/// segment they may be tolerated, but a rule that carries them between segments spreads the risk.
public enum LegacyProtocolAllowed {
    public static let check = Check(
        id: "topology.legacy-protocol-allowed",
        title: "Legacy or cleartext protocol allowed across a boundary",
        rationale:
            "Telnet, FTP, TFTP, r-services and SNMPv1/v2c send credentials in clear; SMB and NetBIOS are the classic "
            + "path of worms. Allowing them between segments or from the internet extends that risk.",
        remediation:
            "Replace the protocol by its secure successor (SSH, SFTP, SNMPv3, SMB over a VPN) or restrict the rule "
            + "to sources inside the same segment.",
        defaultSeverity: .high
    )
}
