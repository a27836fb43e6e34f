/// The BSD r-commands, from the client's opening bytes: rlogin (RFC 1282) sends
/// `\0 localuser \0 remoteuser \0 terminal/speed \0`; rsh and rexec send `stderr-port \0` and three
/// NUL-terminated strings (rsh: local user, remote user, command; rexec: user, *password*, command).
/// rsh trusts the client's word about who it is; rexec sends the password in cleartext. rsh and
/// rexec look the same on the wire, so the server port (514 rsh, 512 rexec) decides, else the client
/// port (rsh clients must bind a port below 1024).
public struct RCommandsDetector: StreamDetector {
    public static let rlogin = LegacyProtocol(
        name: "rlogin",
        check: CaptureCatalogue.legacyProtocol,
        title: "rlogin",
        risk: "it trusts the client's claimed identity and carries sessions in cleartext",
        remediation: "Move the clients to SSH and disable rlogind.",
        severity: .high
    )
    public static let rsh = LegacyProtocol(
        name: "rsh",
        check: CaptureCatalogue.legacyProtocol,
        title: "rsh",
        risk: "it runs commands on the client's claimed identity alone, in cleartext",
        remediation: "Move the clients to SSH and disable rshd.",
        severity: .high
    )
    public static let rexec = LegacyProtocol(
        name: "rexec",
        check: CaptureCatalogue.legacyProtocol,
        title: "rexec",
        risk: "it sends the user's password in cleartext with every command",
        remediation: "Move the clients to SSH, disable rexecd and reset the exposed passwords.",
        severity: .high
    )

    public init() {}

    /// Up to `count` NUL-terminated printable strings from the reader; nil if they are not there.
    private static func strings(_ reader: inout ByteReader, count: Int) -> [PacketBytes]? {
        var found: [PacketBytes] = []
        for _ in 0..<count {
            guard let run = reader.readUntil(0, limit: 1024),
                run.allSatisfy({ (0x20...0x7E).contains($0) })
            else { return nil }
            found.append(run)
        }
        return found
    }

    private static func isTerminalSpeed(_ bytes: PacketBytes) -> Bool {
        guard let slash = bytes.firstIndex(of: 0x2F), slash > 0, slash < bytes.count - 1 else { return false }
        return bytes[(slash + 1)...].allSatisfy { (0x30...0x39).contains($0) }
    }

    /// The server answers a accepted request with a single zero byte, a refused one with 1 and a message.
    private static func serverAnswerFits(_ server: PacketBytes) -> Bool {
        server.isEmpty || server[0] == 0 || server[0] == 1
    }

    public func mightMatch(_ sample: StreamSample) -> Bool {
        guard let first = sample.client.first else { return sample.client.isEmpty && sample.server.first == 0 }
        return first == 0 || (0x30...0x39).contains(first)
    }

    public func examine(_ sample: StreamSample) -> [Observation] {
        guard Self.serverAnswerFits(sample.server) else { return [] }
        var reader = ByteReader(sample.client)
        guard let port = reader.readUntil(0, limit: 6), port.allSatisfy({ (0x30...0x39).contains($0) }),
            let fields = Self.strings(&reader, count: 3), !fields[1].isEmpty
        else { return [] }
        let looksLikeRlogin = port.isEmpty && Self.isTerminalSpeed(fields[2])
        if sample.serverPort == 513 || (looksLikeRlogin && sample.serverPort != 512 && sample.serverPort != 514) {
            guard port.isEmpty, !fields[0].isEmpty else { return [] }
            return [Observation(Self.rlogin, detail: ["user": TextScanning.userName(fields[1])])]
        }
        // rsh and rexec always name the stderr port ("0" for none), a user and a command; a binary
        // protocol whose first bytes happen to be NULs and a space (Beckhoff ADS: 00 00 20 00 00 00)
        // has empty fields there.
        guard !port.isEmpty, !fields[0].isEmpty, !fields[2].isEmpty else { return [] }
        let isRexec = sample.serverPort == 512 || (sample.serverPort != 514 && sample.clientPort >= 1024)
        if isRexec {
            // fields[1] is the password: never read further than to know it is there.
            return [Observation(Self.rexec, detail: ["user": TextScanning.userName(fields[0])])]
        }
        return [Observation(Self.rsh, detail: ["user": TextScanning.userName(fields[1])])]
    }
}
