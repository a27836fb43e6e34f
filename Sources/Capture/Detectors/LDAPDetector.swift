/// LDAP simple bind with a password in cleartext (RFC 4511 §4.2, RFC 4513 §5.1): a BindRequest whose
/// authentication choice is `simple` [0] with a non-empty password, on a connection that had not
/// switched to TLS with the StartTLS extended operation. SASL binds and anonymous or unauthenticated
/// binds (empty password) send no password and are not reported.
public struct LDAPDetector: StreamDetector {
    public static let ldapSimpleBind = LegacyProtocol(
        name: "ldap-simple-bind",
        check: CaptureCatalogue.cleartextCredentials,
        title: "LDAP simple bind without TLS",
        risk: "the account's password crosses the network unencrypted",
        remediation:
            "Require LDAPS or StartTLS before binding (LDAP signing and channel binding on Active Directory) "
            + "and reset the exposed passwords.",
        severity: .high
    )

    private static let startTLSOID = Array("1.3.6.1.4.1.1466.20037".utf8)

    public init() {}

    /// Everything it reads is in what the client sends.
    public var needsServerBytes: Bool { false }

    public func mightMatch(_ sample: StreamSample) -> Bool {
        sample.client.first == 0x30
    }

    public func examine(_ sample: StreamSample) -> [Observation] {
        var messages = ByteReader(sample.client)
        var observations: [Observation] = []
        while let message = BERElement.read(&messages), message.tag == 0x30 {
            var fields = ByteReader(message.contents)
            guard BERElement.read(&fields)?.tag == 0x02, let operation = BERElement.read(&fields) else { break }
            switch operation.tag {
            case 0x60:  // BindRequest
                var bind = ByteReader(operation.contents)
                guard BERElement.read(&bind)?.integer != nil, let name = BERElement.read(&bind), name.tag == 0x04,
                    let authentication = BERElement.read(&bind)
                else { break }
                if authentication.tag == 0x80 && !authentication.contents.isEmpty {
                    observations.append(
                        Observation(Self.ldapSimpleBind, detail: ["user": TextScanning.userName(name.contents)]))
                }
            case 0x77:  // ExtendedRequest: StartTLS ends what can be read in cleartext
                var request = ByteReader(operation.contents)
                if let oid = BERElement.read(&request), oid.tag == 0x80, oid.contents.elementsEqual(Self.startTLSOID) {
                    return observations
                }
            default:
                break
            }
        }
        return observations
    }
}
