/// Weak SSH algorithms, from the key exchange's opening messages: each side's SSH_MSG_KEXINIT
/// (RFC 4253 §7.1, the first binary packet after the identification string, unencrypted) lists the
/// key exchange methods, ciphers and MACs it accepts. The ones in force are, per kind and
/// direction, the first on the client's list that the server's list also holds (§7.1). Reported:
/// a weak one negotiated (high), or — when none was, or the client's list was not seen — the weak
/// ones the server accepts (low: any client may ask for them). Weak: RC4 (`arcfour*`, RFC 8758:
/// MUST NOT), CBC-mode and 64-bit-block ciphers (`3des-cbc`, `aes*-cbc`, `blowfish-cbc`, …), no
/// cipher, MD5 and 96-bit MACs, and SHA-1 Diffie-Hellman groups of 1024 bits or negotiated sizes
/// (`diffie-hellman-group1-sha1`, `diffie-hellman-group-exchange-sha1`, RFC 9142: SHOULD NOT).
public struct SSHAlgorithmsDetector: StreamDetector {
    public static let negotiated = LegacyProtocol(
        name: "weak-ssh-algorithm",
        check: CaptureCatalogue.weakSSHAlgorithm,
        title: "A weak SSH algorithm",
        risk: "the key exchange, cipher or MAC negotiated can be broken or weakens the session's protection",
        remediation: CaptureCatalogue.weakSSHAlgorithm.remediation,
        severity: .high
    )
    public static let accepted = LegacyProtocol(
        name: "weak-ssh-algorithm-accepted",
        check: CaptureCatalogue.weakSSHAlgorithm,
        title: "An SSH server offering weak algorithms",
        risk: "the server lists them in its key exchange, so any client that asks for them gets them",
        remediation: CaptureCatalogue.weakSSHAlgorithm.remediation,
        severity: .low
    )

    /// The weak names, by kind (OpenSSH and RFC 4253/4344/8758/9142 spellings).
    static let weakKeyExchange: Set<String> = [
        "diffie-hellman-group1-sha1", "diffie-hellman-group-exchange-sha1", "rsa1024-sha1",
        "gss-group1-sha1-toWM5Slw5Ew8Mqkay+al2g==",
    ]
    static let weakCiphers: Set<String> = [
        "arcfour", "arcfour128", "arcfour256", "3des-cbc", "des-cbc", "blowfish-cbc", "cast128-cbc", "idea-cbc",
        "aes128-cbc", "aes192-cbc", "aes256-cbc", "rijndael-cbc@lysator.liu.se", "twofish-cbc", "twofish128-cbc",
        "twofish192-cbc", "twofish256-cbc", "serpent128-cbc", "serpent192-cbc", "serpent256-cbc", "none",
    ]
    static let weakMACs: Set<String> = [
        "hmac-md5", "hmac-md5-96", "hmac-md5-etm@openssh.com", "hmac-md5-96-etm@openssh.com", "hmac-sha1-96",
        "hmac-sha1-96-etm@openssh.com", "none",
    ]
    /// Every weak name, the vocabulary of the `algorithm` evidence.
    static let weakNames: Set<String> = weakKeyExchange.union(weakCiphers).union(weakMACs)
    /// Ciphers that authenticate by themselves: with them the MAC list is not used (RFC 5647, OpenSSH).
    static let authenticatedCiphers: Set<String> = [
        "chacha20-poly1305@openssh.com", "aes128-gcm@openssh.com", "aes256-gcm@openssh.com",
        "AEAD_AES_128_GCM", "AEAD_AES_256_GCM",
    ]

    /// The name-lists of a KEXINIT that matter here.
    struct KeyExchangeInit: Equatable {
        var keyExchange: [String]
        var ciphers: [[String]]
        var macs: [[String]]
    }

    public init() {}

    public func mightMatch(_ sample: StreamSample) -> Bool {
        TextScanning.hasPrefix(sample.server, "SSH-", ignoringCase: false)
            || TextScanning.hasPrefix(sample.client, "SSH-", ignoringCase: false)
    }

    /// Where the binary packets start: after the identification line, within the first five lines.
    static func binaryStart(_ bytes: PacketBytes) -> Int? {
        var start = 0
        var lines = 0
        var index = 0
        let end = min(bytes.count, 1024)
        while index < end && lines < 5 {
            if bytes[index] == 0x0A {
                if TextScanning.hasPrefix(bytes[start..<index], "SSH-", ignoringCase: false) { return index + 1 }
                lines += 1
                start = index + 1
            }
            index += 1
        }
        return nil
    }

    /// The first binary packet, when it is a complete KEXINIT (message 20).
    static func keyExchangeInit(_ stream: PacketBytes) -> KeyExchangeInit? {
        guard let start = binaryStart(stream) else { return nil }
        var packet = ByteReader(stream[start...])
        guard let length = packet.readUInt32(), length >= 22, length <= 35_000, let padding = packet.readUInt8(),
            Int(padding) < Int(length), let payload = packet.readBytes(Int(length) - 1 - Int(padding))
        else { return nil }
        var reader = ByteReader(payload)
        guard reader.readUInt8() == 20, reader.skip(16) else { return nil }
        var lists: [[String]] = []
        for _ in 0..<6 {
            guard let size = reader.readUInt32(), size <= 8192, let list = reader.readBytes(Int(size)) else {
                return nil
            }
            lists.append(list.split(separator: 0x2C).map { String(decoding: $0, as: UTF8.self) })
        }
        return KeyExchangeInit(keyExchange: lists[0], ciphers: [lists[2], lists[3]], macs: [lists[4], lists[5]])
    }

    /// RFC 4253 §7.1: the first of the client's algorithms the server also lists.
    static func chosen(client: [String], server: [String]) -> String? {
        client.first { server.contains($0) }
    }

    public func examine(_ sample: StreamSample) -> [Observation] {
        guard let server = Self.keyExchangeInit(sample.server) else { return [] }
        var negotiatedWeak: [String] = []
        if let client = Self.keyExchangeInit(sample.client) {
            if let kex = Self.chosen(client: client.keyExchange, server: server.keyExchange),
                Self.weakKeyExchange.contains(kex)
            {
                negotiatedWeak.append(kex)
            }
            for direction in 0..<2 {
                let cipher = Self.chosen(client: client.ciphers[direction], server: server.ciphers[direction])
                if let cipher, Self.weakCiphers.contains(cipher) { negotiatedWeak.append(cipher) }
                if let cipher, Self.authenticatedCiphers.contains(cipher) { continue }
                if let mac = Self.chosen(client: client.macs[direction], server: server.macs[direction]),
                    Self.weakMACs.contains(mac)
                {
                    negotiatedWeak.append(mac)
                }
            }
        }
        if !negotiatedWeak.isEmpty {
            return Set(negotiatedWeak).sorted().map { Observation(Self.negotiated, detail: ["algorithm": $0]) }
        }
        let accepted =
            server.keyExchange.filter(Self.weakKeyExchange.contains)
            + (server.ciphers[0] + server.ciphers[1])
            .filter(Self.weakCiphers.contains) + (server.macs[0] + server.macs[1]).filter(Self.weakMACs.contains)
        return Set(accepted).sorted().map { Observation(Self.accepted, detail: ["algorithm": $0]) }
    }
}
