/// HTTP Basic authentication in cleartext (RFC 7617): an `Authorization: Basic` (or
/// `Proxy-Authorization: Basic`) header in an unencrypted request carries `user:password` in base64.
/// Every request of a kept-alive connection is read, so credentials sent after a 401 are found too.
public struct HTTPBasicAuthDetector: StreamDetector {
    public static let httpBasicAuth = LegacyProtocol(
        name: "http-basic-auth",
        check: CaptureCatalogue.cleartextCredentials,
        title: "HTTP Basic authentication without TLS",
        risk: "the user name and password travel base64-encoded, readable by anyone on the path",
        remediation: "Serve the site over HTTPS only (redirect and HSTS) and reset the exposed passwords.",
        severity: .high
    )

    private static let methods: [StaticString] = [
        "GET ", "POST ", "PUT ", "HEAD ", "DELETE ", "OPTIONS ", "PATCH ", "PROPFIND ", "CONNECT ",
    ]

    public init() {}

    static func startsWithRequest(_ stream: PacketBytes) -> Bool {
        methods.contains { TextScanning.hasPrefix(stream, $0, ignoringCase: false) }
    }

    private static let authorization = Array("authorization:".utf8)

    /// A quick look before splitting lines: most requests carry no credentials at all.
    static func hasAuthorizationHeader(_ stream: PacketBytes) -> Bool {
        TextScanning.containsIgnoringCase(authorization, in: stream)
    }

    /// A header line's lower-cased name and its value, or empty strings for a line that is not one.
    static func header(_ line: Substring) -> (name: String, value: Substring) {
        guard let colon = line.firstIndex(of: ":") else { return ("", "") }
        let value = line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" }
        return (line[..<colon].lowercased(), value)
    }

    /// Everything it reads is in what the client sends.
    public var needsServerBytes: Bool { false }

    public func mightMatch(_ sample: StreamSample) -> Bool {
        Self.startsWithRequest(sample.client)
    }

    public func examine(_ sample: StreamSample) -> [Observation] {
        guard Self.startsWithRequest(sample.client), Self.hasAuthorizationHeader(sample.client) else { return [] }
        var observations: [Observation] = []
        for line in TextScanning.lines(sample.client) {
            let (name, value) = Self.header(line)
            guard name == "authorization" || name == "proxy-authorization" else { continue }
            let (scheme, token) = TextScanning.command(value)
            guard scheme == "BASIC" else { continue }
            var detail: [String: String] = [:]
            if let decoded = TextScanning.base64Decode(TextScanning.trimmed(token)) {
                // Only what comes before the first colon: the password is never kept.
                detail["user"] = TextScanning.userName(decoded.prefix { $0 != 0x3A })
            }
            observations.append(Observation(Self.httpBasicAuth, detail: detail))
        }
        return observations
    }
}
