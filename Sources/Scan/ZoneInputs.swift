import DNS
import Findings
import Foundation

/// How `exposure scan` analyses a zone file. Scan has no `--origin`, so the origin is the one the file
/// states (its `$ORIGIN`, else its SOA owner), else the file name without `.zone`; signatures are
/// judged at the scan's `--now` (default the clock) with the default expiry warning.
enum ZoneInputs {
    static func analyse(_ file: String, options scan: ScanOptions) throws -> Report {
        let base = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
        let origin = ZoneAnalyzer.statedOrigin(file: file, fallback: base) ?? base
        let options = ZoneCheckOptions(origin: origin, now: scan.now)
        return try ZoneAnalyzer.analyze(file: file, options: options)
    }
}
