import Testing

@testable import Capture

private func offsets(client: [UInt8], server: [UInt8]) -> (client: Int, server: Int, carrier: TLSOpenings.Carrier)? {
    client.withPacketBytes { c in server.withPacketBytes { s in TLSOpenings.tlsOffsets(client: c, server: s) } }
}

@Suite("Openings before TLS are read to where TLS starts, and no further")
struct TLSOpeningsTests {
    /// RFC 1928 and RFC 1929: offer 05 01 02, sub-negotiation 01 05 "alice" 03 "pw!", request 05 01 00 01
    /// 192.0.2.1:443 (10 bytes); the server chooses 02, accepts 01 00, replies 05 00 00 01 + 6 bytes.
    @Test("SOCKS 5 with user/password sub-negotiation: TLS starts after the request (3 + 11 + 10 bytes)")
    func socks5WithPassword() {
        let client: [UInt8] =
            [5, 1, 2] + [1, 5] + Array("alice".utf8) + [3] + Array("pw!".utf8)
            + [5, 1, 0, 1, 192, 0, 2, 1, 1, 187]
        let server: [UInt8] = [5, 2, 1, 0, 5, 0, 0, 1, 192, 0, 2, 1, 1, 187]
        let found = offsets(client: client, server: server)
        #expect(found?.client == 24)
        #expect(found?.server == 14)
        #expect(found?.carrier == .socks5)
    }

    @Test("a SOCKS 5 opening cut at every length is refused, never read past its end", arguments: 0..<24)
    func socks5CutShort(_ length: Int) {
        let client: [UInt8] =
            [5, 1, 2] + [1, 5] + Array("alice".utf8) + [3] + Array("pw!".utf8)
            + [5, 1, 0, 1, 192, 0, 2, 1, 1, 187]
        let server: [UInt8] = [5, 2, 1, 0, 5, 0, 0, 1, 192, 0, 2, 1, 1, 187]
        #expect(offsets(client: Array(client.prefix(length)), server: server) == nil)
    }

    @Test("a refused SOCKS 4 request (reply 0x5B) and a CONNECT answered 407 are not openings into TLS")
    func refusedOpenings() {
        #expect(offsets(client: [4, 1, 1, 187, 192, 0, 2, 1, 0], server: [0, 0x5B, 0, 0, 0, 0, 0, 0]) == nil)
        let connect = Array("CONNECT a:443 HTTP/1.1\r\n\r\n".utf8)
        #expect(offsets(client: connect, server: Array("HTTP/1.1 407 Proxy Auth\r\n\r\n".utf8)) == nil)
    }

    @Test("a TPKT length past the bytes there is refused")
    func tpktPastEnd() {
        #expect(offsets(client: [3, 0, 0xFF, 0xFF, 14, 0xE0], server: [3, 0, 0, 7, 2, 0xD0, 0]) == nil)
    }
}
