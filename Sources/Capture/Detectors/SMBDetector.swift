/// SMB version 1 ([MS-CIFS]), over NetBIOS session service (port 139) or direct TCP (445): every
/// message follows a 4-byte session header and starts with `\xFFSMB` (SMB1) or `\xFESMB` (SMB2/3).
/// A server that answers in SMB1 is running an SMB1 session (the protocol WannaCry spread through);
/// a client that merely offers SMB1 dialects to a server that answers in SMB2 is reported as info.
public struct SMBDetector: StreamDetector {
    public static let smb1 = LegacyProtocol(
        name: "smb1",
        check: CaptureCatalogue.legacyProtocol,
        title: "SMB version 1",
        risk: "it lacks modern integrity protection and was the vector of EternalBlue and WannaCry",
        remediation: "Disable SMB1 on the server and the clients (Windows: the SMB 1.0/CIFS feature).",
        severity: .high
    )

    public init() {}

    enum Dialect: Equatable {
        case smb1
        case smb2
    }

    /// The first SMB message in a stream: its dialect and bytes (after the session header).
    static func firstMessage(_ stream: PacketBytes) -> (Dialect, PacketBytes)? {
        var reader = ByteReader(stream)
        while let type = reader.readUInt8(), let length = reader.readUInt24() {
            let body = reader.readAtMost(Int(length & 0x1FFFF))
            // 0x00 session message; 0x81/0x82/0x85 are session request, response and keep-alive.
            guard type == 0x00 else {
                if type == 0x81 || type == 0x82 || type == 0x85 { continue }
                return nil
            }
            guard body.count >= 4, body[1] == 0x53, body[2] == 0x4D, body[3] == 0x42 else { return nil }
            switch body[0] {
            case 0xFF: return (.smb1, body)
            case 0xFE: return (.smb2, body)
            default: return nil
            }
        }
        return nil
    }

    /// The dialect names of an SMB1 NEGOTIATE request (command 0x72): `0x02 name NUL` entries.
    static func offeredDialects(_ message: PacketBytes) -> [String] {
        var reader = ByteReader(message)
        guard reader.skip(4), reader.readUInt8() == 0x72, reader.skip(27), let wordCount = reader.readUInt8(),
            reader.skip(Int(wordCount) * 2), let byteCount = reader.readUInt16LittleEndian()
        else { return [] }
        var dialects = ByteReader(reader.readAtMost(Int(byteCount)))
        var names: [String] = []
        while dialects.readUInt8() == 0x02, let name = dialects.readUntil(0, limit: 64) {
            names.append(TextScanning.printable(name))
        }
        return names
    }

    /// The dialect index an SMB1 NEGOTIATE response chose (0xFFFF: none).
    static func chosenDialectIndex(_ message: PacketBytes) -> Int? {
        var reader = ByteReader(message)
        guard reader.skip(4), reader.readUInt8() == 0x72, reader.skip(27), let wordCount = reader.readUInt8(),
            wordCount >= 1, let index = reader.readUInt16LittleEndian()
        else { return nil }
        return Int(index)
    }

    /// What the client's first SMB1 message was: a Negotiate offering dialects, or another command
    /// (a capture that starts in the middle of a session).
    private static func clientSide(_ client: (Dialect, PacketBytes)?) -> String {
        guard let client, !offeredDialects(client.1).isEmpty else { return "a client sent SMB1 messages" }
        return "a client offered SMB1 dialects"
    }

    public func mightMatch(_ sample: StreamSample) -> Bool {
        Self.firstMessage(sample.client) != nil || Self.firstMessage(sample.server) != nil
            || sample.client.first == 0x81
    }

    public func examine(_ sample: StreamSample) -> [Observation] {
        let client = Self.firstMessage(sample.client)
        let server = Self.firstMessage(sample.server)
        switch (client?.0, server?.0) {
        case (_, .smb1):
            var detail: [String: String] = [:]
            if let client, client.0 == .smb1, let server {
                let offered = Self.offeredDialects(client.1)
                if let index = Self.chosenDialectIndex(server.1), index < offered.count {
                    detail["dialect"] = offered[index]
                }
            }
            return [Observation(Self.smb1, detail: detail)]
        case (.smb1, .smb2):
            return [
                Observation(
                    Self.smb1, severity: .info,
                    detail: ["note": Self.clientSide(client) + "; the server answered in SMB2 or later"])
            ]
        case (.smb1, nil):
            return [
                Observation(
                    Self.smb1, severity: .info, detail: ["note": Self.clientSide(client) + "; no answer was seen"])
            ]
        default:
            return []
        }
    }
}
