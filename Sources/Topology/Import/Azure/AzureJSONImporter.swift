import Findings
import Foundation

/// Azure resource lists, `az network nsg list` output and ARM templates.
enum AzureJSONImporter {
    static func importDocument(_ data: Data, file: String, into builder: inout NetworkBuilder) throws {
        throw TopologyInputError(file: file, place: nil, reason: "Azure import is not available yet")
    }
}
