import Findings

/// A legacy or cleartext protocol Exposure reports: its fixed `protocol` name (docs/capture.md), the
/// check it is reported under, and the words used in its finding.
///
/// The words live in one shared, immutable box, so the value is a single reference: detectors return
/// observations of it for every flow and datagram they look at, and a value of six strings and a
/// check was copied byte by byte on every return (a seventh of the time on small packets).
public struct LegacyProtocol: Sendable, Hashable {
    private final class Words: Sendable {
        let name: String
        let check: Check
        let title: String
        let risk: String
        let remediation: String
        let severity: Severity

        init(name: String, check: Check, title: String, risk: String, remediation: String, severity: Severity) {
            self.name = name
            self.check = check
            self.title = title
            self.risk = risk
            self.remediation = remediation
            self.severity = severity
        }
    }

    private let words: Words

    init(name: String, check: Check, title: String, risk: String, remediation: String, severity: Severity) {
        words = Words(name: name, check: check, title: title, risk: risk, remediation: remediation, severity: severity)
    }

    /// The documented `protocol` value, e.g. `telnet`, `tls1.0`.
    public var name: String { words.name }
    public var check: Check { words.check }
    /// What people call it, e.g. "Telnet".
    public var title: String { words.title }
    /// Why it matters, as the second half of a sentence ("sends logins … in cleartext").
    public var risk: String { words.risk }
    public var remediation: String { words.remediation }
    public var severity: Severity { words.severity }

    public static func == (a: LegacyProtocol, b: LegacyProtocol) -> Bool {
        a.words === b.words
            || (a.name == b.name && a.check == b.check && a.title == b.title && a.risk == b.risk
                && a.remediation == b.remediation && a.severity == b.severity)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(check)
        hasher.combine(title)
        hasher.combine(risk)
        hasher.combine(remediation)
        hasher.combine(severity)
    }
}

/// What a detector saw in one flow: the protocol, how bad this use of it is, and detail such as the
/// version, cipher or user name. Never a password or a community string: the detail passes
/// `EvidenceGate` here, the one way into an observation, so only fields of known kinds are kept.
public struct Observation: Sendable, Hashable {
    public var legacyProtocol: LegacyProtocol
    public var severity: Severity
    /// Detail values by key (`version`, `cipher`, `user`, …), merged into lists per finding.
    public let detail: [String: String]

    public init(_ legacyProtocol: LegacyProtocol, severity: Severity? = nil, detail: [String: String] = [:]) {
        self.legacyProtocol = legacyProtocol
        self.severity = severity ?? legacyProtocol.severity
        self.detail = detail.isEmpty ? detail : EvidenceGate.admit(detail)
    }
}

/// The first bytes of each direction of a TCP connection, oriented client → server.
public struct StreamSample {
    public var client: PacketBytes
    public var server: PacketBytes
    public var clientPort: UInt16
    public var serverPort: UInt16

    public init(client: PacketBytes, server: PacketBytes, clientPort: UInt16, serverPort: UInt16) {
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
    /// Whether `hasDecided` can ever say yes; the engine asks it only of flows whose candidates all can.
    var decidesEarly: Bool { get }
    /// Whether what `examine` reports from these bytes can no longer change however many more of
    /// them come (both sides are growing prefixes of the opening). When every candidate of a flow
    /// has decided, the engine shows it the bytes at once and keeps no more: later packets of the
    /// flow skip the reassembly copy and the detectors (a TLS download, once its ServerHello is in).
    func hasDecided(_ sample: StreamSample) -> Bool
}

extension StreamDetector {
    public var needsServerBytes: Bool { true }
    public var decidesEarly: Bool { false }
    public func hasDecided(_ sample: StreamSample) -> Bool { false }
}

/// One UDP datagram, with the flow's orientation.
public struct DatagramSample {
    public var payload: PacketBytes
    public var fromClient: Bool
    public var clientPort: UInt16
    public var serverPort: UInt16

    public init(payload: PacketBytes, fromClient: Bool, clientPort: UInt16, serverPort: UInt16) {
        self.payload = payload
        self.fromClient = fromClient
        self.clientPort = clientPort
        self.serverPort = serverPort
    }
}

/// Recognises a protocol in a single UDP datagram.
public protocol DatagramDetector: Sendable {
    func examine(_ datagram: DatagramSample) -> Observation?
    /// Everything the datagram shows, for a detector that can see more than one thing at once (DTLS:
    /// the version and a weak cipher). By default what `examine` returns.
    func observations(_ datagram: DatagramSample) -> [Observation]
}

extension DatagramDetector {
    public func observations(_ datagram: DatagramSample) -> [Observation] {
        examine(datagram).map { [$0] } ?? []
    }
}

/// Every detector, in one place so the engine and the tests see the same list.
public enum Detectors {
    public static let stream: [any StreamDetector] = [
        TelnetDetector(), FTPDetector(), RCommandsDetector(), SSHDetector(), TLSDetector(), SMBDetector(),
        NTLMDetector(), HTTPBasicAuthDetector(), SMTPAuthDetector(), POP3AuthDetector(), IMAPAuthDetector(),
        LDAPDetector(), LLMNRStreamDetector(), VersionDisclosureDetector(), HTTPSecurityHeadersDetector(),
        ManagementBannerDetector(), SSHAlgorithmsDetector(), SOCKS5AuthDetector(),
    ]
    public static let datagram: [any DatagramDetector] = [
        TFTPDetector(), SNMPDetector(), LLMNRDetector(), NetBIOSNameServiceDetector(), DTLSDetector(),
    ]
}
