import Findings

/// A legacy or cleartext protocol Exposure reports: its fixed `protocol` name from the contract, the
/// check it is reported under, and the words used in its finding.
public struct LegacyProtocol: Sendable, Hashable {
    /// The contract's `protocol` value, e.g. `telnet`, `tls1.0`.
    public let name: String
    public let check: Check
    /// What people call it, e.g. "Telnet".
    public let title: String
    /// Why it matters, as the second half of a sentence ("sends logins … in cleartext").
    public let risk: String
    public let remediation: String
    public let severity: Severity
}

/// What a detector saw in one flow: the protocol, how bad this use of it is, and detail such as the
/// version, cipher or user name. Never a password or a community string.
public struct Observation: Sendable, Hashable {
    public var legacyProtocol: LegacyProtocol
    public var severity: Severity
    /// Detail values by key (`version`, `cipher`, `user`, …), merged into lists per finding.
    public var detail: [String: String]

    public init(_ legacyProtocol: LegacyProtocol, severity: Severity? = nil, detail: [String: String] = [:]) {
        self.legacyProtocol = legacyProtocol
        self.severity = severity ?? legacyProtocol.severity
        self.detail = detail
    }
}

/// The first bytes of each direction of a TCP connection, oriented client → server.
public struct StreamSample {
    public var client: UnsafeRawBufferPointer
    public var server: UnsafeRawBufferPointer
    public var clientPort: UInt16
    public var serverPort: UInt16

    public init(client: UnsafeRawBufferPointer, server: UnsafeRawBufferPointer, clientPort: UInt16, serverPort: UInt16)
    {
        self.client = client
        self.server = server
        self.clientPort = clientPort
        self.serverPort = serverPort
    }
}

/// Recognises a protocol in the opening bytes of TCP connections, by content, never by port alone.
public protocol StreamDetector: Sendable {
    /// Whether the connection could carry this protocol, judged from its first bytes (one side may
    /// still be empty). When no detector answers yes, the engine stops keeping the flow's bytes.
    func mightMatch(_ sample: StreamSample) -> Bool
    /// What the connection shows, from all the opening bytes kept.
    func examine(_ sample: StreamSample) -> [Observation]
    /// Whether `examine` reads the server's bytes beyond the first ones `mightMatch` saw. When no
    /// candidate does, the engine stops keeping them (a download is not copied for nothing).
    var needsServerBytes: Bool { get }
}

extension StreamDetector {
    public var needsServerBytes: Bool { true }
}

/// One UDP datagram, with the flow's orientation.
public struct DatagramSample {
    public var payload: UnsafeRawBufferPointer
    public var fromClient: Bool
    public var clientPort: UInt16
    public var serverPort: UInt16

    public init(payload: UnsafeRawBufferPointer, fromClient: Bool, clientPort: UInt16, serverPort: UInt16) {
        self.payload = payload
        self.fromClient = fromClient
        self.clientPort = clientPort
        self.serverPort = serverPort
    }
}

/// Recognises a protocol in a single UDP datagram.
public protocol DatagramDetector: Sendable {
    func examine(_ datagram: DatagramSample) -> Observation?
}

/// Every detector, in one place so the engine and the tests see the same list.
public enum Detectors {
    public static let stream: [any StreamDetector] = [
        TelnetDetector(), FTPDetector(), RCommandsDetector(), SSHDetector(), TLSDetector(), SMBDetector(),
        NTLMDetector(), HTTPBasicAuthDetector(), SMTPAuthDetector(), POP3AuthDetector(), IMAPAuthDetector(),
        LDAPDetector(),
    ]
    public static let datagram: [any DatagramDetector] = [
        TFTPDetector(), SNMPDetector(), LLMNRDetector(), NetBIOSNameServiceDetector(),
    ]
}
