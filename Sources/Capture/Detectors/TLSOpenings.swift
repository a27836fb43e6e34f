/// The openings after which a connection turns into TLS, read far enough to know where TLS starts:
/// a SOCKS 4/4a (the 1992 SOCKS 4 protocol and its 4a extension) or SOCKS 5 (RFC 1928, with RFC 1929
/// user/password sub-negotiation skipped unread) request and reply, an HTTP `CONNECT` tunnel (RFC 9110
/// §9.3.6), RDP's X.224 connection request and confirm in TPKT framing (RFC 1006, [MS-RDPBCGR]
/// §2.2.1.1), MySQL's server greeting and the client's SSL request (the `CLIENT_SSL` packet of 32
/// bytes), and PostgreSQL's `SSLRequest` (8 bytes, code 80877103) answered `S`.
///
/// Each reader returns the offset where the opening ends, or nil when the stream does not start
/// with it; the TLS detector then looks for a TLS record there.
enum TLSOpenings {
    /// What carried the TLS: a proxy makes the reported server the proxy, not the TLS server, so the
    /// finding says so.
    enum Carrier: String {
        case socks4 = "SOCKS4"
        case socks5 = "SOCKS5"
        case httpConnect = "HTTP CONNECT"
        case rdp = "RDP"
        case mysql = "MySQL"
        case postgreSQL = "PostgreSQL"

        var isProxy: Bool { self == .socks4 || self == .socks5 || self == .httpConnect }
    }

    /// Whether the first bytes of either side could be one of these openings; cheap, asked of every flow.
    static func mightOpen(client: PacketBytes, server: PacketBytes) -> Bool {
        if let first = client.first {
            switch first {
            case 0x04: if client.count < 2 || client[1] == 1 { return true }
            case 0x05: if client.count < 2 || (1...16).contains(client[1]) { return true }
            case 0x03: if client.count < 2 || client[1] == 0 { return true }
            case 0x00: if client.count < 8 || isPostgreSQLSSLRequest(client) { return true }
            case 0x43, 0x63: if TextScanning.hasPrefix(client, "CONNECT ") { return true }
            default: break
            }
        }
        // A MySQL greeting: a 3-byte length, sequence 0, protocol version 10.
        return server.count >= 5 && server[3] == 0 && server[4] == 10
    }

    /// Where TLS may start in each direction after an opening both sides agree on, and what it was.
    static func tlsOffsets(client: PacketBytes, server: PacketBytes) -> (
        client: Int, server: Int, carrier: Carrier
    )? {
        if let request = socks4Request(client), server.count >= 8, server[0] == 0, server[1] == 0x5A {
            return (request, 8, .socks4)
        }
        if let request = socks5Client(client), let reply = socks5Server(server) {
            return (request, reply, .socks5)
        }
        if TextScanning.hasPrefix(client, "CONNECT "), let request = httpHeadEnd(client),
            TextScanning.hasPrefix(server, "HTTP/1."), server.count > 12, server[9] == 0x32,
            let reply = httpHeadEnd(server)
        {
            return (request, reply, .httpConnect)
        }
        if let request = tpkt(client), let confirm = tpkt(server) { return (request, confirm, .rdp) }
        if isPostgreSQLSSLRequest(client), server.first == 0x53 { return (8, 1, .postgreSQL) }
        if let greeting = mysqlPacket(server, sequence: 0), mysqlPacket(client, sequence: 1) == 36 {
            return (36, greeting, .mysql)
        }
        return nil
    }

    /// SOCKS 4 CONNECT: version 4, command 1, port, address, a NUL-terminated user id, and for 4a (an
    /// address 0.0.0.x) a NUL-terminated host name.
    static func socks4Request(_ bytes: PacketBytes) -> Int? {
        var reader = ByteReader(bytes)
        guard reader.readUInt8() == 4, reader.readUInt8() == 1, reader.skip(2), let address = reader.readUInt32(),
            reader.readUntil(0, limit: 256) != nil
        else { return nil }
        if address > 0 && address < 256 {
            guard reader.readUntil(0, limit: 256) != nil else { return nil }
        }
        return reader.offset
    }

    /// SOCKS 5 from the client: the method offer, the user/password sub-negotiation when there is one
    /// (skipped by its lengths; the password is never read), and the CONNECT request.
    static func socks5Client(_ bytes: PacketBytes) -> Int? {
        var reader = ByteReader(bytes)
        guard reader.readUInt8() == 5, let methods = reader.readUInt8(), methods > 0, reader.skip(Int(methods))
        else { return nil }
        if reader.peekUInt8() == 1 {
            guard reader.skip(1), let user = reader.readUInt8(), reader.skip(Int(user)),
                let password = reader.readUInt8(),
                reader.skip(Int(password))
            else { return nil }
        }
        guard reader.readUInt8() == 5, reader.readUInt8() == 1, reader.readUInt8() == 0, socks5Address(&reader)
        else { return nil }
        return reader.offset
    }

    /// SOCKS 5 from the server: the chosen method, the sub-negotiation status when there is one, and a
    /// successful reply.
    static func socks5Server(_ bytes: PacketBytes) -> Int? {
        var reader = ByteReader(bytes)
        guard reader.readUInt8() == 5, let method = reader.readUInt8(), method != 0xFF else { return nil }
        if method == 2 {
            guard reader.readUInt8() == 1, reader.readUInt8() == 0 else { return nil }
        }
        guard reader.readUInt8() == 5, reader.readUInt8() == 0, reader.readUInt8() == 0, socks5Address(&reader)
        else { return nil }
        return reader.offset
    }

    /// A SOCKS 5 address (IPv4, a name, or IPv6) and port.
    private static func socks5Address(_ reader: inout ByteReader) -> Bool {
        switch reader.readUInt8() {
        case 1: return reader.skip(6)
        case 3:
            guard let length = reader.readUInt8() else { return false }
            return reader.skip(Int(length) + 2)
        case 4: return reader.skip(18)
        default: return false
        }
    }

    /// The end of an HTTP head: the offset after its empty line, within the first 8 KiB.
    static func httpHeadEnd(_ bytes: PacketBytes) -> Int? {
        TextScanning.find([0x0D, 0x0A, 0x0D, 0x0A], in: bytes).map { $0 + 4 }
    }

    /// One TPKT packet (version 3, reserved 0, a length counting the header) holding an X.224
    /// connection request (0xE0) or confirm (0xD0).
    static func tpkt(_ bytes: PacketBytes) -> Int? {
        var reader = ByteReader(bytes)
        guard reader.readUInt8() == 3, reader.readUInt8() == 0, let length = reader.readUInt16(), length >= 7,
            reader.skip(1), let code = reader.readUInt8(), code & 0xF0 == 0xE0 || code & 0xF0 == 0xD0,
            Int(length) <= bytes.count
        else { return nil }
        return Int(length)
    }

    /// PostgreSQL's SSLRequest: length 8, then the code 1234 5679 (0x04D2162F).
    static func isPostgreSQLSSLRequest(_ bytes: PacketBytes) -> Bool {
        var reader = ByteReader(bytes)
        return reader.readUInt32() == 8 && reader.readUInt32() == 0x04D2_162F
    }

    /// The end of the first MySQL packet (3-byte little-endian length, sequence number) when its
    /// sequence number is `sequence`; the greeting must also say protocol version 10.
    static func mysqlPacket(_ bytes: PacketBytes, sequence: UInt8) -> Int? {
        guard bytes.count >= 5, bytes[3] == sequence else { return nil }
        let length = Int(bytes[0]) | Int(bytes[1]) << 8 | Int(bytes[2]) << 16
        guard length > 0, 4 + length <= bytes.count, sequence != 0 || bytes[4] == 10 else { return nil }
        return 4 + length
    }
}
