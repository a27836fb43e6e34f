/// One server being probed: its address, the time limits, and fresh query IDs. Each probe asks it
/// for replies in Swift values and never touches sockets or libldns itself.
public struct ProbeSession: Sendable {
    public let server: ServerAddress
    public let limits: QueryLimits

    public init(server: ServerAddress, limits: QueryLimits = QueryLimits()) {
        self.server = server
        self.limits = limits
    }

    /// A random query ID, so that a stray reply to an earlier query is not taken for this one.
    static func freshID() -> UInt16 { UInt16.random(in: 0...UInt16.max) }

    /// Sends `query` over UDP (a fresh ID each time) and decodes the reply. A truncated reply (too
    /// large, or a rate limiter's slip) is asked again over TCP, as a resolver would, unless
    /// `retryTruncatedOverTCP` is false; if TCP fails, the truncated reply is returned.
    func ask(_ query: PacketQuery, retryTruncatedOverTCP: Bool = true) throws(ProbeFailure) -> PacketReply {
        var query = query
        query.id = Self.freshID()
        guard let wire = query.wireFormat() else { throw .unusableName(query.name) }
        let bytes: [UInt8]
        do {
            bytes = try QueryTransport.exchangeUDP(wire, with: server, limits: limits)
        } catch {
            throw .transport(error)
        }
        guard let reply = PacketReply(wire: bytes) else { throw .malformedReply }
        if reply.truncated && retryTruncatedOverTCP, let whole = try? askTCP(query) { return whole }
        return reply
    }

    /// Like `ask`, but over TCP.
    func askTCP(_ query: PacketQuery) throws(ProbeFailure) -> PacketReply {
        var query = query
        query.id = Self.freshID()
        guard let wire = query.wireFormat() else { throw .unusableName(query.name) }
        let bytes: [UInt8]
        do {
            bytes = try QueryTransport.exchangeTCP(wire, with: server, limits: limits)
        } catch {
            throw .transport(error)
        }
        guard let reply = PacketReply(wire: bytes) else { throw .malformedReply }
        return reply
    }
}

/// Why one probe got no usable reply.
enum ProbeFailure: Error, CustomStringConvertible {
    case transport(TransportFailure)
    case malformedReply
    case unusableName(String)

    var description: String {
        switch self {
        case .transport(let failure): failure.description
        case .malformedReply: "the reply is not a DNS message libldns can decode"
        case .unusableName(let name): "\(name) is not a usable domain name"
        }
    }
}
