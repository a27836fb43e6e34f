/// Which end of a conversation is the server when the handshake was not captured: the end on a
/// well-known service port, else the end on the lower port range. Only a fallback: a captured SYN
/// always decides.
enum ServicePorts {
    private static let known: Set<UInt16> = [
        20, 21, 22, 23, 25, 53, 67, 69, 80, 88, 110, 111, 123, 135, 137, 138, 139, 143, 161, 162, 389, 443, 445,
        465, 512, 513, 514, 515, 587, 636, 993, 995, 1433, 1521, 2049, 3306, 3389, 5060, 5355, 5432, 5900, 8080,
    ]

    /// Higher means more likely the server's port.
    static func score(_ port: UInt16) -> Int {
        if known.contains(port) { return 3 }
        if port < 1024 { return 2 }
        if port < 49152 { return 1 }
        return 0
    }
}
