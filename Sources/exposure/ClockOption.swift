import ArgumentParser
import DNS
import Findings
import Foundation

/// `--now RFC3339`, for the findings commands that have no `--now` of their own: the moment verdicts
/// are judged at (signature expiry, review dates). Captures and probes judge nothing by the date, so
/// there it only keeps the command line the same across commands.
struct ClockOption: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Judge time-dependent verdicts at this moment instead of now (e.g. 2026-11-21T00:00:00Z).",
            valueName: "RFC3339"))
    var now: String?

    /// Seconds since 1970, UTC.
    func moment() throws -> Int64 {
        guard let now else { return Int64(Date().timeIntervalSince1970) }
        return try Self.parse(now)
    }

    static func parse(_ text: String) throws -> Int64 {
        if let seconds = ZoneClock.parse(text) { return seconds }
        if text.count == 10, let day = CalendarDayText.seconds(text) { return day }
        throw InputError(reason: "--now '\(text)' is not an RFC 3339 time such as 2026-11-21T00:00:00Z")
    }
}

/// `YYYY-MM-DD` as the seconds at the start of that day, UTC.
enum CalendarDayText {
    static func seconds(_ text: String) -> Int64? {
        ZoneClock.parse(text + "T00:00:00Z")
    }
}
