import Findings
import Foundation

/// Gives findings located by a JSON pointer the line and column where the pointer starts, read from
/// their file, so SARIF results have a region and text output a line.
enum PointerRegions {
    static func fill(_ report: inout Report) {
        var wanted: [String: Set<String>] = [:]
        for f in report.findings {
            guard let location = f.location, location.line == nil, let file = location.file,
                let pointer = location.pointer
            else { continue }
            wanted[file, default: []].insert(pointer)
        }
        guard !wanted.isEmpty else { return }
        var positions: [String: [String: JSONPointerLocator.Position]] = [:]
        for (file, pointers) in wanted {
            let lower = file.lowercased()
            guard !lower.hasSuffix(".yaml") && !lower.hasSuffix(".yml"),
                let data = try? InputFiles.read(file)
            else { continue }
            positions[file] = JSONPointerLocator.locate(pointers, in: [UInt8](data))
        }
        report.updateFindings { findings in
            for i in findings.indices {
                guard let location = findings[i].location, location.line == nil, let file = location.file,
                    let pointer = location.pointer, let position = positions[file]?[pointer]
                else { continue }
                findings[i].location?.line = position.line
                findings[i].location?.column = position.column
            }
        }
    }
}
