/// LLMNR (RFC 4795): DNS-format name queries multicast on UDP port 5355. Any host on the link may
/// answer them, which is how tools like Responder capture NTLM hashes; it should be disabled where DNS
/// works. The port identifies LLMNR; the bytes must still be a well-formed single-question query or
/// answer.
public struct LLMNRDetector: DatagramDetector {
    public static let llmnr = LegacyProtocol(
        name: "llmnr",
        check: CaptureCatalogue.legacyProtocol,
        title: "LLMNR name resolution",
        risk: "any host on the link can answer its queries and capture the clients' credentials",
        remediation: "Disable LLMNR on the clients (Group Policy: Turn off multicast name resolution).",
        severity: .medium
    )

    public init() {}

    /// A DNS-style name as dotted text, without compression (LLMNR questions do not use it).
    static func name(_ reader: inout ByteReader) -> String? {
        var labels: [String] = []
        while let length = reader.readUInt8() {
            if length == 0 { return labels.joined(separator: ".") }
            guard length < 64, let label = reader.readBytes(Int(length)) else { return nil }
            // Labels are UTF-8 (RFC 4795 §2.1); the evidence gate keeps printable characters only.
            labels.append(label.utf8Text)
        }
        return nil
    }

    public func examine(_ datagram: DatagramSample) -> Observation? {
        guard datagram.serverPort == 5355 else { return nil }
        var reader = ByteReader(datagram.payload)
        guard reader.skip(2), let flags = reader.readUInt16(), flags >> 11 & 0xF == 0,
            let questions = reader.readUInt16(), questions == 1, reader.skip(6), let name = Self.name(&reader),
            !name.isEmpty
        else { return nil }
        return Observation(Self.llmnr, detail: ["name": String(name.prefix(255))])
    }
}

/// LLMNR over TCP (RFC 4795 §2.4: a responder may answer with TC set and the sender repeat the query
/// over TCP on port 5355), each message with a two-byte length first, as DNS over TCP.
public struct LLMNRStreamDetector: StreamDetector {
    public init() {}

    public var needsServerBytes: Bool { false }

    public func mightMatch(_ sample: StreamSample) -> Bool { sample.serverPort == 5355 }

    public func examine(_ sample: StreamSample) -> [Observation] {
        guard sample.serverPort == 5355 else { return [] }
        var reader = ByteReader(sample.client)
        guard let length = reader.readUInt16(), let message = reader.readBytes(Int(length)) else { return [] }
        let datagram = DatagramSample(
            payload: message, fromClient: true, clientPort: sample.clientPort, serverPort: sample.serverPort)
        return LLMNRDetector().examine(datagram).map { [$0] } ?? []
    }
}
