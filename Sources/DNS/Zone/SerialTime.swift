import Foundation

/// RRSIG inception and expiration are 32-bit serial numbers of seconds (RFC 4034 §3.1.5): they wrap
/// every 136 years and compare with RFC 1982 arithmetic relative to the present. libldns 1.8.3 casts
/// them to signed 32 bits and misjudges dates after 2038, so the project does this itself.
struct SerialTime: Sendable {
    /// The moment judged against, in seconds since 1970.
    let now: Int64

    /// Seconds from now until the serial time `t`: negative when `t` is in the past. Exact while the
    /// two are less than 2^31 seconds (68 years) apart, as RFC 4034 requires of signature windows.
    func secondsUntil(_ t: UInt32) -> Int64 {
        Int64(Int32(bitPattern: t &- UInt32(truncatingIfNeeded: now)))
    }

    /// The absolute time a serial time stands for, judged relative to now.
    func absolute(_ t: UInt32) -> Int64 { now + secondsUntil(t) }

    /// RFC 3339 text of an absolute time, in UTC.
    static func text(_ seconds: Int64) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        func two(_ n: Int32) -> String { String(n).leftPadded(to: 2) }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }

    func text(_ t: UInt32) -> String { Self.text(absolute(t)) }

    /// Parses RFC 3339 (`2026-11-21T00:00:00Z`, `2026-11-21T01:00:00+01:00`, fractions allowed).
    static func parseRFC3339(_ text: String) -> Int64? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return Int64(date.timeIntervalSince1970.rounded(.down)) }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return Int64(date.timeIntervalSince1970.rounded(.down)) }
        return nil
    }
}

/// Reading `--now` for the CLI, so it shares the zone analyzer's notion of RFC 3339.
public enum ZoneClock {
    /// Seconds since 1970 for an RFC 3339 time, or nil.
    public static func parse(_ text: String) -> Int64? { SerialTime.parseRFC3339(text) }
}
