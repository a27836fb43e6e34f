import Foundation
import Testing

@testable import Findings

@Suite("The HTML report is one self-contained page")
struct HTMLRendererTests {
    /// FIPS 180-2 Appendix B gives these digests; the report's CSP hash depends on them.
    @Test(
        "SHA-256 gives the FIPS 180-2 example digests",
        arguments: [
            ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            (
                "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
            ),
            ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ])
    func sha256Vectors(_ input: String, _ hex: String) {
        let digest = SHA256.digest(Array(input.utf8))
        #expect(digest.map { String(format: "%02x", $0) }.joined() == hex)
    }

    @Test(
        "base64 follows RFC 4648's test vectors",
        arguments: [
            ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ])
    func base64Vectors(_ input: String, _ expected: String) {
        #expect(SHA256.base64(Array(input.utf8)) == expected)
    }

    @Test("the page's policy allows exactly its own style sheet and fetches nothing")
    func contentSecurityPolicy() throws {
        let html = HTMLRenderer().render(Fixtures.report)
        let hash = SHA256.base64(SHA256.digest(Array(HTMLRenderer.styleSheet.utf8)))
        #expect(html.contains("content=\"default-src 'none'; style-src 'sha256-\(hash)'\""))
        #expect(html.contains("<style>\(HTMLRenderer.styleSheet)</style>"))
        #expect(!html.contains("<script"))
        #expect(!html.contains(" src="))
        #expect(!html.contains("style=\""), "inline style attributes would be blocked by the policy")
    }

    @Test("every finding is an article carrying its severity, and the counts add up")
    func findingsAndCounts() {
        let report = Fixtures.report
        let html = HTMLRenderer().render(report)
        for severity in Severity.allCases {
            let articles = html.components(separatedBy: "<article class=\"finding sev-\(severity.rawValue)\"").count - 1
            #expect(articles == report.summary[severity], "\(severity)")
            #expect(
                html.contains(
                    "data-severity=\"\(severity.rawValue)\">\(report.summary[severity]) \(severity.rawValue)</span>"))
        }
    }

    @Test("text from inputs is escaped, so a hostile name cannot inject markup")
    func escaping() {
        let check = Fixtures.exposedPort
        let report = Report(findings: [
            Finding(check: check, subject: "<script>alert(1)</script>", message: "a \"quoted\" & <b>bold</b> name")
        ])
        let html = HTMLRenderer().render(report)
        #expect(!html.contains("<script>alert"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("a &quot;quoted&quot; &amp; &lt;b&gt;bold&lt;/b&gt; name"))
    }

    @Test("a lateral-movement path becomes one SVG graph with a box per host and a labelled edge per hop")
    func pathGraph() {
        let check = Check(
            id: "topology.lateral-movement-path", title: "t", rationale: "r", remediation: "f", defaultSeverity: .high)
        let hop1: JSONValue = .object([
            "from": "internet", "to": "jumpbox01", "toAddress": "20.61.15.4", "protocol": "tcp", "port": 22,
            "decidedBy": .array([.object(["nsg": "jump-nsg", "rule": "AllowSshFromOffice"])]),
        ])
        let hop2: JSONValue = .object([
            "from": "jumpbox01", "to": "prod-db01", "toAddress": "10.1.2.4", "protocol": "tcp", "port": 1433,
            "decidedBy": .array([.object(["nsg": "prod-data-nsg", "rule": "AllowSql"])]),
        ])
        let report = Report(findings: [
            Finding(check: check, subject: "prod-db01", message: "m", evidence: ["hops": .array([hop1, hop2])])
        ])
        let html = HTMLRenderer().render(report)
        #expect(html.components(separatedBy: "<svg class=\"path-graph\"").count - 1 == 1)
        #expect(html.components(separatedBy: "<g class=\"node\">").count - 1 == 3)
        #expect(html.components(separatedBy: "<g class=\"edge\">").count - 1 == 2)
        for label in [
            "tcp/22", "tcp/1433", "jump-nsg/AllowSshFromOffice", "prod-data-nsg/AllowSql", ">internet<", ">prod-db01<",
        ] {
            #expect(html.contains(label), "\(label)")
        }
    }
}
