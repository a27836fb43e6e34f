import Foundation

/// A DNS server's numeric address and port, resolved once into the socket address the transport
/// connects to. Host names are refused on purpose: a probe must reach exactly the server named.
public struct ServerAddress: Sendable, Hashable, CustomStringConvertible {
    /// The address as written, without brackets (an IPv6 zone such as `%eth0` kept).
    public let host: String
    public let port: UInt16
    public let isIPv6: Bool
    let family: Int32
    let socketAddress: [UInt8]

    /// `192.0.2.1:53`, `[2001:db8::1]:53`: the form findings name a server by.
    public var description: String { isIPv6 ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Parses `IP`, `IP:PORT`, `[IPv6]:PORT` or a bare IPv6 address; nil when it is none of these.
    public init?(parsing text: String, defaultPort: UInt16 = 53) {
        var host = text.trimmingCharacters(in: .whitespaces)
        var port = defaultPort
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return nil }
            let rest = host[host.index(after: close)...]
            let inner = String(host[host.index(after: host.startIndex)..<close])
            if !rest.isEmpty {
                guard rest.hasPrefix(":"), let p = UInt16(rest.dropFirst()), p > 0 else { return nil }
                port = p
            }
            host = inner
        } else if host.filter({ $0 == ":" }).count == 1, let colon = host.firstIndex(of: ":") {
            guard let p = UInt16(host[host.index(after: colon)...]), p > 0 else { return nil }
            port = p
            host = String(host[..<colon])
        }
        guard !host.isEmpty, let resolved = Self.numericSocketAddress(host, port: port) else { return nil }
        self.host = host
        self.port = port
        self.family = resolved.family
        self.isIPv6 = resolved.family == AF_INET6
        self.socketAddress = resolved.bytes
    }

    /// The socket address for a numeric host, without any name lookup (AI_NUMERICHOST).
    private static func numericSocketAddress(_ host: String, port: UInt16) -> (family: Int32, bytes: [UInt8])? {
        var hints = addrinfo()
        hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV
        hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &result) == 0, let first = result else { return nil }
        defer { freeaddrinfo(result) }
        guard let address = first.pointee.ai_addr else { return nil }
        let bytes = Array(UnsafeRawBufferPointer(start: address, count: Int(first.pointee.ai_addrlen)))
        return (first.pointee.ai_family, bytes)
    }

    /// The address's octets (4 or 16), for classifying it as public or private.
    public var addressOctets: [UInt8] {
        if isIPv6 {
            // sockaddr_in6: family(2) port(2) flowinfo(4) address(16)
            return Array(socketAddress[8..<min(24, socketAddress.count)])
        }
        // sockaddr_in: family(2) port(2) address(4)
        return Array(socketAddress[4..<min(8, socketAddress.count)])
    }
}
