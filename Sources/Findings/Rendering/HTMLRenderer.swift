/// The report a person looks at: one self-contained HTML file. It fetches nothing (inline CSS and SVG,
/// no script), and its own Content-Security-Policy allows only its style sheet, by hash, so it also
/// works where a strict policy is enforced. It holds a summary by severity and area, severity filters
/// (checkboxes and CSS, no script), findings grouped by area and check with evidence, location and
/// fix, and one graph per lateral-movement path: internet → hops → crown jewel, each edge labelled
/// with protocol, port and the rules that decided it.
public struct HTMLRenderer: Sendable {
    /// The page title.
    public var title: String

    public init(title: String = "Exposure report") {
        self.title = title
    }

    public func render(_ report: Report) -> String {
        let css = Self.styleSheet
        let hash = SHA256.base64(SHA256.digest(Array(css.utf8)))
        var out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        out +=
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'sha256-\(hash)'\">\n"
        out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        out += "<title>\(Self.escape(title))</title>\n<style>\(css)</style>\n</head>\n<body>\n"
        out += header(report)
        out += filters(report)
        out += summaryTable(report)
        out += pathGraphs(report)
        out += trustChains(report)
        out += findingsSection(report)
        out += inputsSection(report)
        out += warningsSection(report)
        out += "<footer>\(Self.escape(ToolInfo.name)) \(Self.escape(ToolInfo.version))</footer>\n</body>\n</html>\n"
        return out
    }

    // MARK: Sections

    private func header(_ report: Report) -> String {
        let s = report.summary
        var out = "<header>\n<h1>\(Self.escape(title))</h1>\n<p class=\"totals\">"
        out += "<span class=\"total\" data-total=\"\(s.total)\">\(s.total) finding\(s.total == 1 ? "" : "s")</span>: "
        out += Severity.allCases.map {
            "<span class=\"count sev-\($0.rawValue)\" data-severity=\"\($0.rawValue)\">\(s[$0]) \($0.rawValue)</span>"
        }.joined(separator: ", ")
        if !report.warnings.isEmpty {
            out +=
                "; <a href=\"#warnings\">\(report.warnings.count) warning\(report.warnings.count == 1 ? "" : "s")</a>"
        }
        return out + "</p>\n</header>\n"
    }

    /// One checkbox per severity; unticking one hides its findings (see the `:has` rules in the CSS).
    private func filters(_ report: Report) -> String {
        var out = "<nav class=\"filters\" aria-label=\"Show severities\">Show: "
        for severity in Severity.allCases {
            let id = "show-\(severity.rawValue)"
            out += "<input type=\"checkbox\" id=\"\(id)\" checked>"
            out +=
                "<label for=\"\(id)\" class=\"sev-\(severity.rawValue)\">\(severity.rawValue) (\(report.summary[severity]))</label> "
        }
        return out + "</nav>\n"
    }

    private func summaryTable(_ report: Report) -> String {
        let areas = Array(Set(report.findings.map(\.check.area))).sorted()
        guard !areas.isEmpty else {
            return "<section id=\"summary\"><h2>Summary</h2><p class=\"clean\">No findings.</p></section>\n"
        }
        var out = "<section id=\"summary\">\n<h2>Summary</h2>\n<table class=\"summary\">\n<thead><tr><th>area</th>"
        out += Severity.allCases.map { "<th class=\"sev-\($0.rawValue)\">\($0.rawValue)</th>" }.joined()
        out += "<th>total</th></tr></thead>\n<tbody>\n"
        for area in areas {
            let inArea = report.findings.filter { $0.check.area == area }
            out +=
                "<tr data-area=\"\(Self.escape(area))\"><th><a href=\"#area-\(Self.escape(area))\">\(Self.escape(area))</a></th>"
            for severity in Severity.allCases {
                let n = inArea.filter { $0.severity == severity }.count
                out += "<td class=\"\(n > 0 ? "sev-\(severity.rawValue)" : "zero")\">\(n)</td>"
            }
            out += "<td>\(inArea.count)</td></tr>\n"
        }
        return out + "</tbody>\n</table>\n</section>\n"
    }

    private func pathGraphs(_ report: Report) -> String {
        let paths = report.findings.filter { $0.check.id == "topology.lateral-movement-path" }
        guard !paths.isEmpty else { return "" }
        var out = "<section id=\"paths\">\n<h2>Lateral-movement paths</h2>\n"
        for (n, finding) in paths.enumerated() {
            guard case .array(let hops)? = finding.evidence["hops"] else { continue }
            out +=
                "<figure class=\"finding-graph sev-\(finding.severity.rawValue)\" data-severity=\"\(finding.severity.rawValue)\">\n"
            out += PathGraph(hops: hops, id: "path-\(n + 1)").svg()
            out += "<figcaption>\(Self.escape(finding.message))</figcaption>\n</figure>\n"
        }
        return out + "</section>\n"
    }

    private func trustChains(_ report: Report) -> String {
        guard !report.trustChains.isEmpty else { return "" }
        var out = "<section id=\"dnssec\">\n<h2>DNSSEC chains of trust</h2>\n"
        out += "<p class=\"why\">DS → DNSKEY → RRsets, as DNSViz draws them: green links verify, red ones are bogus, "
        out += "orange ones are outside their validity window, grey ones cannot be checked here.</p>\n"
        for (n, chain) in report.trustChains.enumerated() {
            let bogus = chain.links.contains { $0.status == .bogus } || chain.nodes.contains { $0.status == .bogus }
            out += "<figure class=\"chain-graph\" data-zone=\"\(Self.escape(chain.zone))\" data-bogus=\"\(bogus)\">\n"
            out += TrustChainGraph(chain: chain, id: "chain-\(n + 1)").svg()
            out += "<figcaption>\(Self.escape(chain.zone))</figcaption>\n</figure>\n"
        }
        return out + "</section>\n"
    }

    private func findingsSection(_ report: Report) -> String {
        var out = "<section id=\"findings\">\n<h2>Findings</h2>\n"
        let byArea = Dictionary(grouping: report.findings, by: \.check.area)
        for area in byArea.keys.sorted() {
            out += "<section class=\"area\" id=\"area-\(Self.escape(area))\">\n<h3>\(Self.escape(area))</h3>\n"
            let findings = byArea[area] ?? []
            var checkOrder: [String] = []
            for f in findings where !checkOrder.contains(f.check.id) { checkOrder.append(f.check.id) }
            for id in checkOrder {
                let group = findings.filter { $0.check.id == id }
                let check = group[0].check
                out += "<details class=\"check\" open>\n<summary><code>\(Self.escape(id))</code> — "
                out += "\(Self.escape(check.title)) <span class=\"n\">(\(group.count))</span></summary>\n"
                out += "<p class=\"why\">\(Self.escape(check.rationale))</p>\n"
                for f in group { out += article(f) }
                out += "</details>\n"
            }
            out += "</section>\n"
        }
        if report.findings.isEmpty { out += "<p class=\"clean\">No findings.</p>\n" }
        return out + "</section>\n"
    }

    private func article(_ f: Finding) -> String {
        let severity = f.severity.rawValue
        var out =
            "<article class=\"finding sev-\(severity)\" data-severity=\"\(severity)\" data-check=\"\(Self.escape(f.check.id))\">\n"
        out += "<h4><span class=\"badge sev-\(severity)\">\(severity)</span> \(Self.escape(f.subject))</h4>\n"
        out += "<p class=\"message\">\(Self.escape(f.message))</p>\n<dl>\n"
        if let location = f.location, !location.isEmpty {
            out += "<dt>where</dt><dd><code>\(Self.escape(location.displayText))</code></dd>\n"
        }
        out += "<dt>fix</dt><dd>\(Self.escape(f.remediation))</dd>\n"
        if !f.evidence.isEmpty {
            out += "<dt>evidence</dt><dd><table class=\"evidence\">"
            for key in f.evidence.keys.sorted() {
                let value = f.evidence[key]!
                let text: String
                if case .string(let s) = value { text = s } else { text = value.compactText }
                out += "<tr><th>\(Self.escape(key))</th><td><code>\(Self.escape(Self.shorten(text)))</code></td></tr>"
            }
            out += "</table></dd>\n"
        }
        return out + "</dl>\n</article>\n"
    }

    /// What was analysed, so that an empty report can be told from a clean one.
    private func inputsSection(_ report: Report) -> String {
        guard !report.inputs.isEmpty else { return "" }
        var out = "<section id=\"inputs\">\n<h2>Inputs analysed</h2>\n<ul>\n"
        for input in report.inputs {
            out += "<li data-kind=\"\(Self.escape(input.kind.rawValue))\">\(Self.escape(input.summaryText))</li>\n"
        }
        return out + "</ul>\n</section>\n"
    }

    private func warningsSection(_ report: Report) -> String {
        guard !report.warnings.isEmpty else { return "" }
        var out = "<section id=\"warnings\">\n<h2>Warnings</h2>\n<ul>\n"
        for w in report.warnings { out += "<li>\(Self.escape(w))</li>\n" }
        return out + "</ul>\n</section>\n"
    }

    // MARK: Text

    /// Escapes text for HTML element content and quoted attribute values.
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case _ where scalar.value < 0x20 && scalar != "\n" && scalar != "\t": out += "\u{FFFD}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Evidence values are capped so one huge value cannot make the page unusable.
    static func shorten(_ s: String, limit: Int = 2_000) -> String {
        s.count <= limit ? s : String(s.prefix(limit)) + "…"
    }

    static let styleSheet = """
        :root{--critical:#8b0000;--high:#c0392b;--medium:#d68910;--low:#2471a3;--info:#5d6d7e}\
        body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1100px;padding:0 16px 40px;color:#1c2833}\
        header h1{margin:18px 0 4px}code{font:13px ui-monospace,monospace}\
        :is(span,label,th,td).sev-critical{color:var(--critical)}:is(span,label,th,td).sev-high{color:var(--high)}\
        :is(span,label,th,td).sev-medium{color:var(--medium)}:is(span,label,th,td).sev-low{color:var(--low)}\
        :is(span,label,th,td).sev-info{color:var(--info)}.zero{color:#aab7b8}\
        .badge{display:inline-block;min-width:58px;text-align:center;border-radius:3px;color:#fff;font-size:12px;\
        padding:1px 6px;text-transform:uppercase}\
        .badge.sev-critical{background:var(--critical)}.badge.sev-high{background:var(--high)}\
        .badge.sev-medium{background:var(--medium)}.badge.sev-low{background:var(--low)}.badge.sev-info{background:var(--info)}\
        .filters{margin:8px 0 16px}.filters label{margin-right:10px}\
        table.summary{border-collapse:collapse}table.summary td,table.summary th{border:1px solid #d5d8dc;padding:3px 10px;\
        text-align:right}table.summary th:first-child{text-align:left}\
        details.check{border-top:1px solid #d5d8dc;padding:6px 0}details.check>summary{cursor:pointer;font-weight:600}\
        .why{color:#566573;margin:4px 0 8px}article.finding{border-left:4px solid #d5d8dc;margin:8px 0 12px;padding:2px 12px}\
        article.sev-critical{border-color:var(--critical)}article.sev-high{border-color:var(--high)}\
        article.sev-medium{border-color:var(--medium)}article.sev-low{border-color:var(--low)}\
        article h4{margin:4px 0}dl{display:grid;grid-template-columns:80px 1fr;gap:2px 8px;margin:4px 0}dt{color:#566573}\
        dd{margin:0;overflow-wrap:anywhere}table.evidence th{text-align:left;font-weight:normal;color:#566573;\
        padding-right:10px;vertical-align:top}\
        figure.finding-graph{margin:12px 0;overflow-x:auto}figcaption{color:#566573;font-size:13px}\
        footer{margin-top:30px;color:#aab7b8;font-size:12px}\
        body:has(#show-critical:not(:checked)) .sev-critical[data-severity]{display:none}\
        body:has(#show-high:not(:checked)) .sev-high[data-severity]{display:none}\
        body:has(#show-medium:not(:checked)) .sev-medium[data-severity]{display:none}\
        body:has(#show-low:not(:checked)) .sev-low[data-severity]{display:none}\
        body:has(#show-info:not(:checked)) .sev-info[data-severity]{display:none}
        """
}

/// A lateral-movement path laid out left to right: one box per host, one labelled arrow per hop.
/// Colours are SVG presentation attributes, so no inline style is needed.
struct PathGraph {
    var hops: [JSONValue]
    /// Unique in the page: the arrow marker's id is derived from it.
    var id: String

    private static let boxWidth = 170
    private static let boxHeight = 46
    private static let gap = 150
    private static let top = 34

    func svg() -> String {
        var nodes: [(name: String, address: String)] = []
        // The label shows the rule that decided last (the destination's inbound rule); the tooltip all.
        var edges: [(protocolPort: String, rules: String, decisive: String)] = []
        for hop in hops {
            guard case .object(let h) = hop else { continue }
            if nodes.isEmpty { nodes.append((Self.text(h["from"]) ?? "internet", Self.text(h["fromAddress"]) ?? "")) }
            nodes.append((Self.text(h["to"]) ?? "?", Self.text(h["toAddress"]) ?? ""))
            let proto = Self.text(h["protocol"]) ?? ""
            let port = h["port"].map { Self.text($0) ?? $0.compactText } ?? ""
            var rules: [String] = []
            if case .array(let decided)? = h["decidedBy"] {
                for d in decided {
                    guard case .object(let rule) = d else { continue }
                    let name = [Self.text(rule["nsg"]), Self.text(rule["rule"])].compactMap { $0 }.joined(
                        separator: "/")
                    if !name.isEmpty { rules.append(name) }
                }
            }
            edges.append(("\(proto)/\(port)", rules.joined(separator: ", "), rules.last ?? ""))
        }
        let width = nodes.count * Self.boxWidth + max(0, nodes.count - 1) * Self.gap + 20
        let height = Self.top + Self.boxHeight + 40
        var out =
            "<svg class=\"path-graph\" id=\"\(id)\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" "
        out +=
            "viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"\(HTMLRenderer.escape(nodes.map(\.name).joined(separator: " → ")))\">\n"
        out +=
            "<defs><marker id=\"\(id)-arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" "
        out += "orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#566573\"/></marker></defs>\n"
        for (i, node) in nodes.enumerated() {
            let x = 10 + i * (Self.boxWidth + Self.gap)
            let isInternet = i == 0 && node.name == "internet"
            let isTarget = i == nodes.count - 1
            let fill = isInternet ? "#fdedec" : isTarget ? "#fef9e7" : "#eaf2f8"
            let stroke = isInternet ? "#c0392b" : isTarget ? "#b7950b" : "#2471a3"
            out += "<g class=\"node\"><title>\(HTMLRenderer.escape(node.name))</title>"
            out +=
                "<rect x=\"\(x)\" y=\"\(Self.top)\" width=\"\(Self.boxWidth)\" height=\"\(Self.boxHeight)\" rx=\"6\" "
            out += "fill=\"\(fill)\" stroke=\"\(stroke)\" stroke-width=\"1.5\"/>"
            out +=
                "<text x=\"\(x + Self.boxWidth / 2)\" y=\"\(Self.top + 20)\" text-anchor=\"middle\" font-size=\"13\" "
            out += "font-weight=\"600\" fill=\"#1c2833\">\(HTMLRenderer.escape(Self.cut(node.name, 22)))</text>"
            if !node.address.isEmpty {
                out +=
                    "<text x=\"\(x + Self.boxWidth / 2)\" y=\"\(Self.top + 36)\" text-anchor=\"middle\" font-size=\"11\" "
                out += "fill=\"#566573\">\(HTMLRenderer.escape(node.address))</text>"
            }
            out += "</g>\n"
        }
        for (i, edge) in edges.enumerated() {
            let x1 = 10 + i * (Self.boxWidth + Self.gap) + Self.boxWidth
            let x2 = x1 + Self.gap
            let y = Self.top + Self.boxHeight / 2
            out += "<g class=\"edge\"><title>\(HTMLRenderer.escape(edge.protocolPort + " " + edge.rules))</title>"
            out +=
                "<line x1=\"\(x1 + 2)\" y1=\"\(y)\" x2=\"\(x2 - 2)\" y2=\"\(y)\" stroke=\"#566573\" stroke-width=\"1.5\" "
            out += "marker-end=\"url(#\(id)-arrow)\"/>"
            out +=
                "<text x=\"\((x1 + x2) / 2)\" y=\"\(y - 8)\" text-anchor=\"middle\" font-size=\"12\" fill=\"#1c2833\">"
            out += "\(HTMLRenderer.escape(edge.protocolPort))</text>"
            out +=
                "<text x=\"\((x1 + x2) / 2)\" y=\"\(y + 18)\" text-anchor=\"middle\" font-size=\"10\" fill=\"#566573\">"
            out += "\(HTMLRenderer.escape(Self.cut(edge.decisive, 26)))</text></g>\n"
        }
        return out + "</svg>\n"
    }

    private static func text(_ value: JSONValue?) -> String? {
        switch value {
        case .string(let s)?: s
        case .int(let i)?: String(i)
        default: nil
        }
    }

    private static func cut(_ s: String, _ n: Int) -> String { s.count <= n ? s : String(s.prefix(n - 1)) + "…" }
}

/// A zone's chain of trust in three columns (DS, DNSKEY, RRsets), links coloured by status.
struct TrustChainGraph {
    var chain: TrustChain
    /// Unique in the page.
    var id: String

    private static let boxWidth = 190
    private static let boxHeight = 40
    private static let rowStep = 52
    private static let columnStep = 300

    static func colour(_ status: TrustChain.Status) -> String {
        switch status {
        case .secure: "#1e8449"
        case .bogus: "#c0392b"
        case .expired: "#d68910"
        case .insecure: "#909497"
        }
    }

    func svg() -> String {
        let columns: [TrustChain.Kind] = [.ds, .dnskey, .rrset]
        var position: [String: (x: Int, y: Int)] = [:]
        var rows = 0
        for (c, kind) in columns.enumerated() {
            let inColumn = chain.nodes.filter { $0.kind == kind }
            for (r, node) in inColumn.enumerated() {
                position[node.id] = (10 + c * Self.columnStep, 10 + r * Self.rowStep)
            }
            rows = max(rows, inColumn.count)
        }
        let width = 10 + 2 * Self.columnStep + Self.boxWidth + 10
        let height = 20 + max(rows, 1) * Self.rowStep
        var out = "<svg class=\"chain-graph\" id=\"\(id)\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" "
        out += "height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" "
        out += "aria-label=\"DNSSEC chain of trust of \(HTMLRenderer.escape(chain.zone))\">\n"
        for link in chain.links {
            guard let a = position[link.from], let b = position[link.to] else { continue }
            let colour = Self.colour(link.status)
            out +=
                "<line class=\"link \(link.status.rawValue)\" x1=\"\(a.x + Self.boxWidth)\" y1=\"\(a.y + Self.boxHeight / 2)\" "
            out += "x2=\"\(b.x)\" y2=\"\(b.y + Self.boxHeight / 2)\" stroke=\"\(colour)\" stroke-width=\"2\""
            out += link.status == .secure ? "/>\n" : " stroke-dasharray=\"6 3\"/>\n"
        }
        for node in chain.nodes {
            guard let p = position[node.id] else { continue }
            let colour = Self.colour(node.status)
            out += "<g class=\"node \(node.kind.rawValue) \(node.status.rawValue)\"><title>"
            out += "\(HTMLRenderer.escape(node.label + ": " + node.detail))</title>"
            out += "<rect x=\"\(p.x)\" y=\"\(p.y)\" width=\"\(Self.boxWidth)\" height=\"\(Self.boxHeight)\" rx=\"6\" "
            out += "fill=\"#ffffff\" stroke=\"\(colour)\" stroke-width=\"2\"/>"
            out += "<text x=\"\(p.x + Self.boxWidth / 2)\" y=\"\(p.y + 17)\" text-anchor=\"middle\" font-size=\"12\" "
            out += "font-weight=\"600\" fill=\"#1c2833\">\(HTMLRenderer.escape(Self.cut(node.label, 28)))</text>"
            out += "<text x=\"\(p.x + Self.boxWidth / 2)\" y=\"\(p.y + 32)\" text-anchor=\"middle\" font-size=\"10\" "
            out += "fill=\"#566573\">\(HTMLRenderer.escape(Self.cut(node.detail, 34)))</text></g>\n"
        }
        return out + "</svg>\n"
    }

    private static func cut(_ s: String, _ n: Int) -> String { s.count <= n ? s : String(s.prefix(n - 1)) + "…" }
}
