import Foundation
import Testing

/// The HTML report as a person sees it: Debian's Chromium, headless, loads the report of a scan of the
/// bundled samples. The reference for the counts is the JSON report of the same scan; the browser's
/// network log is the reference for "fetches nothing".
@Suite("The HTML report in a real browser")
struct HTMLReportBrowserTests {
    static let chromium = "/usr/bin/chromium"
    static let now = "2026-11-20T00:00:00Z"
    /// Hosts Chromium itself calls (update checks, sign-in, dictionaries) whatever page it shows;
    /// they are sent to a closed loopback port by `--proxy-server`, and are not the page's requests.
    static let browserServiceHosts = [
        "clients2.google.com", "update.googleapis.com", "accounts.google.com", "redirector.gvt1.com",
        "optimizationguide-pa.googleapis.com", "content-autofill.googleapis.com", "www.google.com",
    ]

    @Test("Chromium renders one article per finding, the JSON report's counts, one SVG per path, and fetches nothing")
    func scanReportInChromium() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
            "exposure-html-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let html = scratch.appendingPathComponent("report.html")
        let scan = ["scan", "Topologies", "Captures", "Zones", "--now", Self.now]
        let htmlRun = try ExposureBinary.run(scan + ["--format", "html", "--output", html.path], timeout: 300)
        #expect(htmlRun.status == 1, "\(htmlRun.stderr)")
        let jsonRun = try ExposureBinary.run(scan + ["--format", "json"], timeout: 300)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(jsonRun.stdout.utf8)) as? [String: Any])
        let summary = try #require(json["summary"] as? [String: Int])
        let findings = try #require(json["findings"] as? [[String: Any]])
        let pathFindings = findings.filter { $0["check"] as? String == "topology.lateral-movement-path" }.count
        #expect(pathFindings > 0, "the samples hold lateral-movement paths")

        let netLog = scratch.appendingPathComponent("net.json")
        let shot = scratch.appendingPathComponent("report.png")
        let flags = [
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-default-apps", "--hide-scrollbars",
            "--proxy-server=127.0.0.1:9", "--user-data-dir=\(scratch.appendingPathComponent("profile").path)",
        ]
        let dom = try Subprocess.run(
            Self.chromium, flags + ["--log-net-log=\(netLog.path)", "--dump-dom", html.absoluteString], timeout: 120)
        #expect(dom.status == 0, "\(dom.stderr)")
        let page = dom.stdout

        for (severity, count) in summary {
            let articles = page.components(separatedBy: "<article class=\"finding sev-\(severity)\"").count - 1
            #expect(articles == count, "\(severity): \(articles) articles, the JSON report counts \(count)")
            #expect(page.contains("data-severity=\"\(severity)\">\(count) \(severity)</span>"))
        }
        #expect(page.components(separatedBy: "<svg class=\"path-graph\"").count - 1 == pathFindings)
        // One chain-of-trust graph per signed zone sample: those holding a DNSKEY record (counted from
        // the files, not from Exposure).
        let zones = try FileManager.default.contentsOfDirectory(
            at: ExposureBinary.packageRoot.appendingPathComponent("Zones"), includingPropertiesForKeys: nil
        ).filter { $0.pathExtension == "zone" }
        let signed = try zones.filter {
            try String(contentsOf: $0, encoding: .utf8).contains("\tDNSKEY\t")
                || String(contentsOf: $0, encoding: .utf8).contains(" DNSKEY ")
        }
        #expect(page.components(separatedBy: "<svg class=\"chain-graph\"").count - 1 == signed.count)
        #expect(page.contains("class=\"link bogus\""), "the bogus-signature sample draws a red link")
        #expect(page.contains("default-src 'none'"))

        let log = try String(contentsOf: netLog, encoding: .utf8)
        let urls = Set(Self.urls(in: log))
        let pageRequests = urls.filter { url in
            !url.hasPrefix("file://") && !url.hasPrefix("data:")
                && !Self.browserServiceHosts.contains { url.contains("://\($0)/") }
        }
        #expect(pageRequests.isEmpty, "the report made requests: \(pageRequests.sorted())")

        // The control: a page that does fetch an image shows up in the same kind of log (the request
        // goes to the closed loopback proxy port, nowhere else), so an empty list above means something.
        let control = scratch.appendingPathComponent("control.html")
        try "<!DOCTYPE html><img src=\"http://192.0.2.1/exposure-control.png\">".write(
            to: control, atomically: true, encoding: .utf8)
        let controlLog = scratch.appendingPathComponent("control-net.json")
        _ = try Subprocess.run(
            Self.chromium, flags + ["--log-net-log=\(controlLog.path)", "--dump-dom", control.absoluteString],
            timeout: 120)
        let controlURLs = Self.urls(in: try String(contentsOf: controlLog, encoding: .utf8))
        #expect(controlURLs.contains("http://192.0.2.1/exposure-control.png"), "the net-log records a page's requests")

        let picture = try Subprocess.run(
            Self.chromium, flags + ["--screenshot=\(shot.path)", "--window-size=1280,1600", html.absoluteString],
            timeout: 120)
        #expect(picture.status == 0, "\(picture.stderr)")
        let png = try Data(contentsOf: shot)
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]) && png.count > 10_000, "a screenshot of the report")
    }

    /// Every `"url":"…"` value in a Chromium net-log.
    static func urls(in log: String) -> [String] {
        var found: [String] = []
        var rest = Substring(log)
        while let start = rest.range(of: "\"url\":\"") {
            rest = rest[start.upperBound...]
            guard let end = rest.firstIndex(of: "\"") else { break }
            found.append(String(rest[..<end]))
            rest = rest[end...]
        }
        return found
    }
}
