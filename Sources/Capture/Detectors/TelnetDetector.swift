/// Telnet, recognised by its option negotiation (RFC 854/855): a stream that opens with IAC (255)
/// followed by WILL, WONT, DO, DONT or SB and a known option code. Telnet on port 2323 is still
/// Telnet; TLS on port 23 is not.
public struct TelnetDetector: StreamDetector {
    public static let telnet = LegacyProtocol(
        name: "telnet",
        check: CaptureCatalogue.legacyProtocol,
        title: "Telnet",
        risk: "it carries logins and whole sessions in cleartext",
        remediation: "Move the clients to SSH and disable the Telnet service.",
        severity: .high
    )

    public init() {}

    /// IAC, then WILL/WONT/DO/DONT (251–254) or SB (250), then an option from the IANA registry (0–49)
    /// or EXOPL (255).
    static func opensWithNegotiation(_ bytes: PacketBytes) -> Bool {
        guard bytes.count >= 3, bytes[0] == 0xFF, (250...254).contains(bytes[1]) else { return false }
        return bytes[2] <= 49 || bytes[2] == 255
    }

    public func mightMatch(_ sample: StreamSample) -> Bool {
        Self.opensWithNegotiation(sample.client) || Self.opensWithNegotiation(sample.server)
    }

    public func examine(_ sample: StreamSample) -> [Observation] {
        guard mightMatch(sample) else { return [] }
        var detail: [String: String] = [:]
        if let user = Self.loginName(client: sample.client, server: sample.server) { detail["user"] = user }
        return [Observation(Self.telnet, detail: detail)]
    }

    /// The bytes a side typed, with option negotiation (IAC …) taken out and IAC IAC kept as 255.
    static func data(_ stream: PacketBytes) -> [UInt8] {
        var data: [UInt8] = []
        data.reserveCapacity(stream.count)
        var index = 0
        while index < stream.count {
            let byte = stream[index]
            guard byte == 0xFF, index + 1 < stream.count else {
                data.append(byte)
                index += 1
                continue
            }
            switch stream[index + 1] {
            case 0xFF:
                data.append(0xFF)
                index += 2
            case 251...254:
                index += 3
            case 250:  // subnegotiation: up to IAC SE
                index += 2
                while index + 1 < stream.count && !(stream[index] == 0xFF && stream[index + 1] == 240) { index += 1 }
                index += 2
            default:
                index += 2
            }
        }
        return data
    }

    private static let loginPrompt = Array("login:".utf8)
    private static let userNamePrompt = Array("username:".utf8)

    /// The user name typed at a `login:` or `username:` prompt: the client's first line of text.
    /// The second line is the password and is never read.
    static func loginName(client: PacketBytes, server: PacketBytes) -> String? {
        let prompt = data(server)
        let asked = prompt.withPacketBytes {
            TextScanning.containsIgnoringCase(loginPrompt, in: $0)
                || TextScanning.containsIgnoringCase(userNamePrompt, in: $0)
        }
        guard asked else { return nil }
        let typed = data(client)
        let line = typed.prefix { $0 != 0x0D && $0 != 0x0A && $0 != 0x00 }
        guard line.count < typed.count, !line.isEmpty, line.count <= 64 else { return nil }
        return TextScanning.userName(line)
    }
}
