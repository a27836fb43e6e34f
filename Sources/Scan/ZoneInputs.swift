import DNS
import Findings
import Foundation

/// How `exposure scan` analyses a zone file. Scan has no `--origin`, so the origin is the one the file
/// states (its `$ORIGIN`, else its SOA owner), else the file name without `.zone`; signatures are
/// judged at the current time with the default expiry warning.
enum ZoneInputs {
    static func analyse(_ files: [String]) throws -> Report {
        var report = Report()
        for file in files {
            let base = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
            let origin = ZoneAnalyzer.statedOrigin(file: file, fallback: base) ?? base
            let options = ZoneCheckOptions(origin: origin, now: Int64(Date().timeIntervalSince1970))
            report.merge(try ZoneAnalyzer.analyse(file: file, options: options))
        }
        return report
    }
}
