import Foundation

/// What came back from a burst of identical queries.
public struct BurstOutcome: Sendable, Hashable {
    public var sent: Int
    /// Replies with TC=0: answered in full (whatever the response code).
    public var answered: Int
    /// Replies with TC=1: rate limiting's "slip" (or a reply too large for UDP).
    public var truncated: Int
    /// Queries that got no reply at all.
    public var lost: Int { sent - answered - truncated }
    /// How long sending took, in seconds.
    public var sendingSeconds: Double
}

/// Sends a bounded, paced burst of UDP queries on one socket and counts the replies by ID. It never
/// retries and never sends faster than `perSecond`: this is a measurement, not a load test.
public enum QueryBurst {
    /// Sends `count` queries made by `query(id)` (IDs 0..<count, offset by `firstID`) at most
    /// `perSecond` a second, then listens until `quietPeriod` seconds pass without a reply.
    public static func run(
        count: Int,
        perSecond: Int,
        to server: ServerAddress,
        firstID: UInt16 = 0,
        quietPeriod: Double = 1,
        query: (UInt16) -> [UInt8]
    ) throws(TransportFailure) -> BurstOutcome {
        let socket = try QuerySocket(to: server, stream: false, timeout: quietPeriod)
        let interval = 1 / Double(max(1, min(perSecond, 1000)))
        var seen = [UInt8](repeating: 0, count: 65_536)  // 0 no reply, 1 answered, 2 truncated
        var answered = 0
        var truncated = 0

        func drain(until deadline: Double) throws(TransportFailure) -> Bool {
            var any = false
            while try socket.wait(for: Int16(POLLIN), until: deadline) {
                while let reply = try socket.receive() {
                    guard reply.count >= 12, reply[2] & 0x80 != 0 else { continue }
                    let id = Int(reply[0]) << 8 | Int(reply[1])
                    let slot = (id - Int(firstID)) & 0xFFFF
                    guard slot < count, seen[id] == 0 else { continue }
                    any = true
                    // Header octet 2: QR opcode(4) AA TC RD.
                    if reply[2] & 0x02 != 0 {
                        seen[id] = 2
                        truncated += 1
                    } else {
                        seen[id] = 1
                        answered += 1
                    }
                }
            }
            return any
        }

        let start = monotonicSeconds()
        for index in 0..<count {
            let id = UInt16(truncatingIfNeeded: Int(firstID) + index)
            // Never early: wait (reading replies meanwhile) until this query's slot comes.
            let slot = start + Double(index) * interval
            if slot > monotonicSeconds() { _ = try drain(until: slot) }
            let packet = query(id)
            var sentIt = false
            while !sentIt {
                sentIt = try socket.send(packet)
                if !sentIt { _ = try socket.wait(for: Int16(POLLOUT), until: monotonicSeconds() + 0.01) }
            }
        }
        let sendingSeconds = monotonicSeconds() - start
        // Listen until the server has been quiet for `quietPeriod`, at most three quiet periods.
        let hardStop = monotonicSeconds() + quietPeriod * 3
        while monotonicSeconds() < hardStop {
            if !(try drain(until: min(hardStop, monotonicSeconds() + quietPeriod))) { break }
        }
        return BurstOutcome(sent: count, answered: answered, truncated: truncated, sendingSeconds: sendingSeconds)
    }
}
