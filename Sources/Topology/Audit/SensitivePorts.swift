import Findings

/// A class of services whose ports should not be open to the internet, with the severity an
/// exposure of that class gets.
public enum ServiceClass: String, Sendable, Hashable, CaseIterable {
    case management
    case database
    case fileSharing = "file-sharing"
    case legacy
    /// Ports a user added with `--sensitive-port`.
    case custom

    public var severity: Severity {
        switch self {
        case .management, .database: .critical
        case .fileSharing, .legacy, .custom: .high
        }
    }
}

/// One sensitive port: protocol, number, the service usually behind it and its class.
public struct SensitivePort: Sendable, Hashable {
    public var transport: TransportProtocol
    public var port: Int
    public var service: String
    public var serviceClass: ServiceClass

    public init(_ transport: TransportProtocol, _ port: Int, _ service: String, _ serviceClass: ServiceClass) {
        self.transport = transport
        self.port = port
        self.service = service
        self.serviceClass = serviceClass
    }
}

/// The ports `topology.internet-exposed-port` looks at, and the legacy protocols
/// `topology.legacy-protocol-allowed` looks for.
public struct SensitivePorts: Sendable, Hashable {
    public var ports: [SensitivePort]

    public init(ports: [SensitivePort] = SensitivePorts.standard) { self.ports = ports }

    /// Management, databases, file sharing and Windows services, legacy cleartext protocols.
    public static let standard: [SensitivePort] = [
        SensitivePort(.tcp, 22, "ssh", .management),
        SensitivePort(.tcp, 3389, "rdp", .management),
        SensitivePort(.udp, 3389, "rdp", .management),
        SensitivePort(.tcp, 5985, "winrm", .management),
        SensitivePort(.tcp, 5986, "winrm-https", .management),
        SensitivePort(.tcp, 1433, "mssql", .database),
        SensitivePort(.tcp, 1521, "oracle", .database),
        SensitivePort(.tcp, 3306, "mysql", .database),
        SensitivePort(.tcp, 5432, "postgresql", .database),
        SensitivePort(.tcp, 6379, "redis", .database),
        SensitivePort(.tcp, 9200, "elasticsearch", .database),
        SensitivePort(.tcp, 27017, "mongodb", .database),
        SensitivePort(.tcp, 135, "msrpc", .fileSharing),
        SensitivePort(.udp, 135, "msrpc", .fileSharing),
        SensitivePort(.udp, 137, "netbios-ns", .fileSharing),
        SensitivePort(.udp, 138, "netbios-dgm", .fileSharing),
        SensitivePort(.tcp, 139, "netbios-ssn", .fileSharing),
        SensitivePort(.tcp, 445, "smb", .fileSharing),
        SensitivePort(.tcp, 2049, "nfs", .fileSharing),
        SensitivePort(.udp, 2049, "nfs", .fileSharing),
        SensitivePort(.tcp, 20, "ftp-data", .legacy),
        SensitivePort(.tcp, 21, "ftp", .legacy),
        SensitivePort(.tcp, 23, "telnet", .legacy),
        SensitivePort(.udp, 69, "tftp", .legacy),
        SensitivePort(.udp, 161, "snmp", .legacy),
        SensitivePort(.tcp, 512, "rexec", .legacy),
        SensitivePort(.tcp, 513, "rlogin", .legacy),
        SensitivePort(.tcp, 514, "rsh", .legacy),
    ]

    /// The legacy and cleartext protocols of `topology.legacy-protocol-allowed`: the legacy class
    /// plus SMB and NetBIOS, which the issue counts as legacy when they cross boundaries.
    public var legacyProtocols: [SensitivePort] {
        ports.filter { $0.serviceClass == .legacy || ($0.serviceClass == .fileSharing && $0.service != "nfs") }
            .filter { !$0.service.hasPrefix("msrpc") }
    }

    /// Parses `--sensitive-port` values: `tcp/8080`, `udp/500`, `tcp/8000-8010`, `8443` (TCP).
    public static func parseCustom(_ text: String) -> [SensitivePort]? {
        var transport = TransportProtocol.tcp
        var portText = Substring(text)
        if let slash = text.firstIndex(of: "/") {
            guard let parsed = TransportProtocol(String(text[..<slash])), parsed.hasPorts else { return nil }
            transport = parsed
            portText = text[text.index(after: slash)...]
        }
        guard let range = PortRange(portText), range != .any, range.upper - range.lower < 1024 else { return nil }
        return (range.lower...range.upper).map { SensitivePort(transport, $0, "\(transport.rawValue)/\($0)", .custom) }
    }
}
