/// HTML served over cleartext HTTP without the headers browsers use to limit what a page can be
/// made to do: `Content-Security-Policy`, `X-Content-Type-Options: nosniff`, and frame protection
/// (`X-Frame-Options`, or CSP `frame-ancestors`). Judged on the first response of a connection whose
/// `Content-Type` is `text/html`; `missing` lists the headers it lacked.
public struct HTTPSecurityHeadersDetector: StreamDetector {
    public static let http = LegacyProtocol(
        name: "http",
        check: CaptureCatalogue.httpSecurityHeadersMissing,
        title: "HTML without security headers",
        risk: "pages without CSP, nosniff or frame protection are easier to abuse with injected scripts and framing",
        remediation: CaptureCatalogue.httpSecurityHeadersMissing.remediation,
        severity: .low
    )

    public init() {}

    /// The response head is in the server's first bytes; the body after it is not needed.
    public var needsServerBytes: Bool { false }

    public func mightMatch(_ sample: StreamSample) -> Bool {
        TextScanning.hasPrefix(sample.server, "HTTP/1.", ignoringCase: false)
    }

    public func examine(_ sample: StreamSample) -> [Observation] {
        guard TextScanning.hasPrefix(sample.server, "HTTP/1.", ignoringCase: false) else { return [] }
        // Only a complete head can show that a header is missing.
        guard TextScanning.find([0x0D, 0x0A, 0x0D, 0x0A], in: sample.server) != nil else { return [] }
        // Read in place, lower-cased byte by byte: no header becomes a string.
        let head = HTTPResponseHead(sample.server)
        guard let type = head.valueRange("content-type"), head.contains(type, "text/html") else { return [] }
        let policy = head.valueRange("content-security-policy")
        var missing: [String] = []
        if policy == nil { missing.append("Content-Security-Policy") }
        if head.valueRange("x-content-type-options").map({ !head.contains($0, "nosniff") }) ?? true {
            missing.append("X-Content-Type-Options")
        }
        if head.valueRange("x-frame-options") == nil && !(policy.map { head.contains($0, "frame-ancestors") } ?? false)
        {
            missing.append("X-Frame-Options")
        }
        return missing.map { Observation(Self.http, detail: ["missing": $0]) }
    }
}
