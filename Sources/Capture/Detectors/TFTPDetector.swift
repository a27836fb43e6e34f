/// TFTP (RFC 1350): a read (RRQ, opcode 1) or write (WRQ, opcode 2) request carrying a file name and
/// a transfer mode (`netascii`, `octet`, `mail`), each NUL-terminated. TFTP has no authentication:
/// anyone who can reach the server can fetch or overwrite its files.
public struct TFTPDetector: DatagramDetector {
    public static let tftp = LegacyProtocol(
        name: "tftp",
        check: CaptureCatalogue.legacyProtocol,
        title: "TFTP",
        risk: "it has no authentication and transfers files in cleartext",
        remediation: "Restrict TFTP to the provisioning network and the devices that need it, or move to SFTP/HTTPS.",
        severity: .medium
    )

    private static let modes: Set<String> = ["netascii", "octet", "mail"]

    public init() {}

    public func examine(_ datagram: DatagramSample) -> Observation? {
        guard datagram.fromClient else { return nil }
        var reader = ByteReader(datagram.payload)
        guard let opcode = reader.readUInt16(), opcode == 1 || opcode == 2,
            let file = reader.readUntil(0, limit: 512), !file.isEmpty,
            file.allSatisfy({ (0x20...0x7E).contains($0) }), let mode = reader.readUntil(0, limit: 16),
            Self.modes.contains(TextScanning.printable(mode).lowercased())
        else { return nil }
        return Observation(
            Self.tftp,
            detail: [
                "request": opcode == 1 ? "read" : "write", "file": String(TextScanning.printable(file).prefix(128)),
            ]
        )
    }
}
