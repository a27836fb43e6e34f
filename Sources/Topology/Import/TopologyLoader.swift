import Findings
import Foundation

/// A topology read from files, with the input problems that did not stop the load.
public struct LoadedTopology: Sendable {
    public var network: Network
    /// One line each, `FILE: at /json/pointer: what is wrong` (or `line N`).
    public var warnings: [String]

    public init(network: Network, warnings: [String]) {
        self.network = network
        self.warnings = warnings
    }
}

/// The one entry point that turns topology files into a `Network`: Azure resource lists (array or
/// `{"value": [...]}`, `az network … list` and SDK output), ARM templates (deployed offline with the
/// values of `parameterFiles`, later files winning), and Exposure YAML. Several files form one
/// topology; resources appearing in more than one file are merged by id.
public enum TopologyLoader {
    /// Reads and merges `files`; `serviceTags` (Azure's published file, `--service-tags`) resolves
    /// the service tags rules name. Throws `InputError` for unusable input.
    public static func load(files: [String], parameterFiles: [String] = [], serviceTags: ServiceTags? = nil) throws
        -> LoadedTopology
    {
        let parameters = try ARMParameters.load(files: parameterFiles)
        var documents: [(name: String, data: Data)] = []
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw InputError(file: file, place: nil, reason: "cannot read the file")
            }
            documents.append((file, data))
        }
        var topology = try load(documents: documents, parameters: parameters)
        if let serviceTags {
            topology.network.serviceTags = serviceTags
            topology.warnings += serviceTags.notes
        }
        return topology
    }

    /// Reads and merges in-memory documents; `name` decides the format by extension (`.yaml`/`.yml`
    /// is YAML, anything else JSON) and appears in errors and source locations.
    public static func load(
        documents: [(name: String, data: Data)], parameters: ARMParameters = ARMParameters()
    ) throws -> LoadedTopology {
        var builder = NetworkBuilder()
        for document in documents {
            let lower = document.name.lowercased()
            if lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") {
                try YAMLTopologyImporter.importDocument(document.data, file: document.name, into: &builder)
            } else {
                try AzureJSONImporter.importDocument(
                    document.data, file: document.name, parameters: parameters, into: &builder)
            }
        }
        return builder.finish()
    }
}
