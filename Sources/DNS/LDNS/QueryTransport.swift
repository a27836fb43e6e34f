import Foundation

/// Why an exchange with a server produced no reply.
public enum TransportFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// The host answered that nothing listens there (ICMP port unreachable, TCP reset).
    case refused
    /// Nothing came back before the time limit, after every allowed try.
    case timedOut(tries: Int, seconds: Double)
    /// The connection closed before a whole message arrived.
    case closed
    /// The operating system refused the socket operation.
    case system(String)

    public var description: String {
        switch self {
        case .refused: "connection refused (nothing listens on that port)"
        case .timedOut(let tries, let seconds):
            "no reply after \(tries) \(tries == 1 ? "try" : "tries") of \(Self.format(seconds)) s each"
        case .closed: "the server closed the connection"
        case .system(let text): text
        }
    }

    private static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
    }
}

/// Time limits for one exchange. Every probe passes through one of these, so none can hang.
public struct QueryLimits: Sendable, Hashable {
    /// How long to wait for each reply (and for a TCP connection).
    public var timeout: Double
    /// How many times a UDP query is sent before giving up.
    public var tries: Int

    public init(timeout: Double = 2, tries: Int = 3) {
        self.timeout = timeout
        self.tries = max(1, tries)
    }
}

/// Seconds on a clock that never jumps, for deadlines and pacing.
func monotonicSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

/// A connected, non-blocking socket to one server, closed when dropped.
final class QuerySocket {
    let descriptor: Int32

    /// Opens a UDP (`stream: false`) or TCP socket and connects it, waiting at most `timeout` for TCP.
    init(to server: ServerAddress, stream: Bool, timeout: Double) throws(TransportFailure) {
        let kind = stream ? Int32(SOCK_STREAM.rawValue) : Int32(SOCK_DGRAM.rawValue)
        let fd = socket(server.family, kind, 0)
        guard fd >= 0 else { throw .system("cannot open a socket: \(String(cString: strerror(errno)))") }
        descriptor = fd
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        let status = server.socketAddress.withUnsafeBytes { raw in
            connect(fd, raw.baseAddress?.assumingMemoryBound(to: sockaddr.self), socklen_t(raw.count))
        }
        if status == 0 { return }
        guard errno == EINPROGRESS else { throw Self.failure(errno) }
        guard try wait(for: Int16(POLLOUT), until: monotonicSeconds() + timeout) else {
            throw .timedOut(tries: 1, seconds: timeout)
        }
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
        if error != 0 { throw Self.failure(error) }
    }

    deinit { close(descriptor) }

    static func failure(_ code: Int32) -> TransportFailure {
        if code == ECONNREFUSED || code == ECONNRESET { return .refused }
        return .system(String(cString: strerror(code)))
    }

    /// Waits until the socket is ready for `events` or `deadline` passes; false on time-out.
    func wait(for events: Int16, until deadline: Double) throws(TransportFailure) -> Bool {
        while true {
            let remaining = deadline - monotonicSeconds()
            if remaining <= 0 { return false }
            var entry = pollfd(fd: descriptor, events: events, revents: 0)
            let ready = poll(&entry, 1, Int32(min(remaining * 1000, 60_000).rounded(.up)))
            if ready < 0 {
                if errno == EINTR { continue }
                throw Self.failure(errno)
            }
            if ready == 0 { continue }
            if entry.revents & Int16(POLLERR) != 0 {
                var error: Int32 = 0
                var length = socklen_t(MemoryLayout<Int32>.size)
                getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &error, &length)
                throw Self.failure(error == 0 ? ECONNREFUSED : error)
            }
            return true
        }
    }

    /// Sends all of `bytes`; false if the socket would block.
    func send(_ bytes: [UInt8]) throws(TransportFailure) -> Bool {
        guard !bytes.isEmpty else { return true }
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { raw in
                guard let base = raw.baseAddress else { return 0 }
                return Glibc.send(descriptor, base + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
            }
            if sent < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { return false }
                throw Self.failure(errno)
            }
            offset += sent
        }
        return true
    }

    /// Receives one datagram (or what a stream has ready); nil if nothing is waiting.
    func receive(max: Int = 65_535) throws(TransportFailure) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: max)
        while true {
            let count = buffer.withUnsafeMutableBytes { raw in recv(descriptor, raw.baseAddress, raw.count, 0) }
            if count < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { return nil }
                throw Self.failure(errno)
            }
            return Array(buffer[0..<count])
        }
    }
}

/// Sends queries and collects replies over UDP and TCP with bounded time and retries.
public enum QueryTransport {
    /// One query over UDP: sent up to `limits.tries` times, each waiting `limits.timeout` seconds for a
    /// reply with the same ID. Replies with other IDs are ignored.
    public static func exchangeUDP(
        _ query: [UInt8],
        with server: ServerAddress,
        limits: QueryLimits
    ) throws(TransportFailure) -> [UInt8] {
        guard query.count >= 2 else { throw .system("empty query") }
        let socket = try QuerySocket(to: server, stream: false, timeout: limits.timeout)
        for _ in 0..<limits.tries {
            _ = try socket.send(query)
            let deadline = monotonicSeconds() + limits.timeout
            while try socket.wait(for: Int16(POLLIN), until: deadline) {
                guard let reply = try socket.receive() else { continue }
                if reply.count >= 12, reply[0] == query[0], reply[1] == query[1] { return reply }
            }
        }
        throw .timedOut(tries: limits.tries, seconds: limits.timeout)
    }

    /// One query over TCP (RFC 7766 two-octet length framing), one reply back.
    public static func exchangeTCP(
        _ query: [UInt8],
        with server: ServerAddress,
        limits: QueryLimits
    ) throws(TransportFailure) -> [UInt8] {
        var reply: [UInt8] = []
        try streamTCP(query, with: server, limits: limits, deadline: limits.timeout * 2) { message in
            reply = message
            return false
        }
        return reply
    }

    /// Sends `query` over TCP and hands each framed message to `onMessage` until it returns false,
    /// the server closes the connection, a single read waits longer than `limits.timeout`, or
    /// `deadline` seconds have passed in all. Used for zone transfers, which span many messages.
    public static func streamTCP(
        _ query: [UInt8],
        with server: ServerAddress,
        limits: QueryLimits,
        deadline: Double,
        onMessage: ([UInt8]) -> Bool
    ) throws(TransportFailure) {
        let end = monotonicSeconds() + deadline
        let socket = try QuerySocket(to: server, stream: true, timeout: limits.timeout)
        let framed = [UInt8(query.count >> 8), UInt8(query.count & 0xFF)] + query
        var offset = 0
        // A non-blocking socket may take the query in parts.
        while offset < framed.count {
            guard try socket.wait(for: Int16(POLLOUT), until: min(end, monotonicSeconds() + limits.timeout)) else {
                throw .timedOut(tries: 1, seconds: limits.timeout)
            }
            let part = Array(framed[offset...])
            if try socket.send(part) { offset = framed.count }
        }
        var pending: [UInt8] = []
        var start = 0
        while true {
            // Hand over every whole message already buffered.
            while pending.count - start >= 2 {
                let length = Int(pending[start]) << 8 | Int(pending[start + 1])
                guard pending.count - start - 2 >= length else { break }
                let message = Array(pending[(start + 2)..<(start + 2 + length)])
                start += 2 + length
                if !onMessage(message) { return }
            }
            if start > 0 {
                pending.removeFirst(start)
                start = 0
            }
            let readDeadline = min(end, monotonicSeconds() + limits.timeout)
            guard try socket.wait(for: Int16(POLLIN), until: readDeadline) else {
                throw .timedOut(tries: 1, seconds: limits.timeout)
            }
            guard let chunk = try socket.receive() else { continue }
            if chunk.isEmpty { throw .closed }
            pending += chunk
        }
    }
}
