/// SSH protocol version 1, from the identification strings (RFC 4253 §4.2, §5.1): a server announcing
/// `SSH-1.x` speaks only version 1; `SSH-1.99` means it accepts both, and the session is version 1
/// only if the client then answers `SSH-1.x`. Version 1 has known flaws (CRC-32 attack, session
/// hijacking) and no modern implementation should accept it.
public struct SSHDetector: StreamDetector {
    public static let ssh1 = LegacyProtocol(
        name: "ssh1",
        check: CaptureCatalogue.legacyProtocol,
        title: "SSH protocol version 1",
        risk: "its integrity protection is broken and sessions can be hijacked",
        remediation: "Upgrade the server and clients to SSH-2 only (Protocol 2).",
        severity: .high
    )

    public init() {}

    /// The identification line, if the stream has one among its first lines.
    static func identification(_ bytes: PacketBytes) -> Substring? {
        // RFC 4253 lets a server send other lines first; the version line comes within the first few.
        // The first five complete lines, split as `TextScanning.lines` splits them; only the version
        // line becomes text (the others are often binary key exchange, not worth a string each).
        let opening = bytes.prefix(1024)
        var start = 0
        var lines = 0
        var index = 0
        while index < opening.count && lines < 5 {
            if opening[index] == 0x0A {
                var end = index
                if end > start && opening[end - 1] == 0x0D { end -= 1 }
                let line = opening[start..<end]
                if TextScanning.hasPrefix(line, "SSH-", ignoringCase: false) {
                    return TextScanning.text(opening, start..<end)
                }
                lines += 1
                start = index + 1
            }
            index += 1
        }
        return nil
    }

    static func isVersion1(_ line: Substring) -> Bool {
        line.hasPrefix("SSH-1.") && !line.hasPrefix("SSH-1.99")
    }

    public func mightMatch(_ sample: StreamSample) -> Bool {
        TextScanning.hasPrefix(sample.server, "SSH-", ignoringCase: false)
            || TextScanning.hasPrefix(sample.client, "SSH-", ignoringCase: false)
    }

    public func examine(_ sample: StreamSample) -> [Observation] {
        guard let server = Self.identification(sample.server) else { return [] }
        let client = Self.identification(sample.client)
        if Self.isVersion1(server) {
            return [Observation(Self.ssh1, detail: ["version": String(server.prefix(100))])]
        }
        if server.hasPrefix("SSH-1.99"), let client, Self.isVersion1(client) {
            // The finding is about the server: its banner is the version, the client's is detail.
            return [
                Observation(Self.ssh1, detail: ["version": String(server.prefix(100)), "note": "a client spoke SSH-1"])
            ]
        }
        return []
    }
}
