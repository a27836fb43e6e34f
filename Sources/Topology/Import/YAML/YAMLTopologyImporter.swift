import Findings
import Foundation

/// Exposure's own YAML topology format.
enum YAMLTopologyImporter {
    static func importDocument(_ data: Data, file: String, into builder: inout NetworkBuilder) throws {
        throw TopologyInputError(file: file, place: nil, reason: "YAML import is not available yet")
    }
}
