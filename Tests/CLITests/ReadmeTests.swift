import Foundation
import Testing

@Suite("README stays true to the code")
struct ReadmeTests {
    @Test("docs/checks.md's catalogue is the one the code reports (run `make docs-checks` to update)")
    func checkCatalogueMatchesCode() throws {
        let readme = try String(
            contentsOf: ExposureBinary.packageRoot.appendingPathComponent("docs/checks.md"),
            encoding: .utf8
        )
        let begin = try #require(readme.range(of: "<!-- BEGIN CHECKS -->\n"))
        let end = try #require(readme.range(of: "<!-- END CHECKS -->"))
        let documented = String(readme[begin.upperBound..<end.lowerBound])
        let run = try ExposureBinary.run(["checks", "--format", "markdown"])
        #expect(run.status == 0)
        #expect(documented == run.stdout)
    }

    @Test("the README gives the two commands")
    func twoCommands() throws {
        let readme = try String(
            contentsOf: ExposureBinary.packageRoot.appendingPathComponent("README.md"),
            encoding: .utf8
        )
        #expect(readme.contains("make run"))
        #expect(readme.contains("make test"))
    }
}
