/// Malformed connection openings, named and counted like packet anomalies (Zeek's "weirds"): they
/// never stop a run, and what is kept of the connection stays within the per-direction limit.
enum StreamAnomaly: String, Sendable, Hashable, CaseIterable {
    case tunnelWithoutTLS = "SOCKS or HTTP CONNECT tunnel that carried no TLS"
    case httpHeadTooLong = "HTTP request head longer than the 8 KiB kept"
    case tdsLengthPastEnd = "TDS packet length past the end of the data sent"

    /// Whether more bytes of an opening could still show one of these: a proxy opening, an HTTP
    /// request or a TDS packet from the client. Else the engine may stop keeping bytes early.
    static func mayStillArise(_ sample: StreamSample) -> Bool {
        guard let first = sample.client.first else { return true }
        return first == 0x10 || first == 0x11 || first == 0x12
            || TLSOpenings.tlsOffsets(client: sample.client, server: sample.server) != nil
            || HTTPBasicAuthDetector.startsWithRequest(sample.client)
    }

    /// What is wrong with a connection's opening bytes, from what was kept of each direction
    /// (`limit` bytes at most); `closed` says the connection ended, so nothing more was coming.
    static func of(_ sample: StreamSample, limit: Int, closed: Bool) -> [StreamAnomaly] {
        var found: [StreamAnomaly] = []
        if let opening = TLSOpenings.tlsOffsets(client: sample.client, server: sample.server), opening.carrier.isProxy {
            let after = sample.client[min(opening.client, sample.client.count)...]
            if !TLSDetector.startsWithTLSRecord(after) && !HTTPBasicAuthDetector.startsWithRequest(after) {
                found.append(.tunnelWithoutTLS)
            }
        }
        if sample.client.count >= limit, HTTPBasicAuthDetector.startsWithRequest(sample.client),
            TextScanning.find([0x0D, 0x0A, 0x0D, 0x0A], in: sample.client) == nil
        {
            found.append(.httpHeadTooLong)
        }
        // A TDS packet header ([MS-TDS] §2.2.3.1): type, status, big-endian length including the
        // header; PRELOGIN (0x12), LOGIN7 (0x10) or SSPI (0x11) from the client.
        if closed, sample.client.count >= 8, [0x10, 0x11, 0x12].contains(sample.client[0]), sample.client[1] <= 0x1F,
            sample.serverPort == 1433 || sample.client[0] == 0x12
        {
            let length = Int(sample.client[2]) << 8 | Int(sample.client[3])
            if length < 8 || (length > sample.client.count && sample.client.count < limit) {
                found.append(.tdsLengthPastEnd)
            }
        }
        return found
    }
}
