import Findings
import Foundation

/// Azure resource lists (`az resource list`, Resource Graph, the REST API: an array, or an object
/// with a `value` array), `az network … list` output (properties flattened onto the resource), and
/// ARM templates (a `resources` array with simple `[resourceId()]`, `[parameters()]`,
/// `[variables()]` and `[concat()]` expressions).
enum AzureJSONImporter {
    static func importDocument(_ data: Data, file: String, into builder: inout NetworkBuilder) throws {
        var reader = AzureResourceReader(file: file, builder: builder, template: nil)
        let root: Any?
        do {
            root = try data.withUnsafeBytes { raw -> Any? in
                var json = JSONStreamReader(raw.bindMemory(to: UInt8.self))
                // Resource lists stream one resource at a time.
                return try json.read { element, pointer, _ in
                    guard let object = element as? [String: Any] else {
                        throw InputError(
                            file: file, place: .pointer(pointer), reason: "expected a resource object")
                    }
                    try reader.readResource(object, pointer: pointer)
                }
            }
        } catch let error as JSONStreamReader.SyntaxError {
            throw InputError(
                file: file, place: .line(error.line),
                reason:
                    "not valid JSON (\(error.message)): expected an Azure resource list, `az network` output or an ARM template"
            )
        }
        if let object = root as? [String: Any] {
            if object["value"] is [Any] {
                // Streamed above.
            } else if let resources = object["resources"] as? [Any] {
                reader.template = ARMTemplateContext(template: object, file: file)
                try reader.readResources(resources, pointer: "/resources")
            } else if object["type"] is String {
                try reader.readResource(object, pointer: "")
            } else {
                throw InputError(
                    file: file, place: .pointer(""),
                    reason:
                        "a JSON object without `value` or `resources` array: expected an Azure resource list or an ARM template"
                )
            }
        } else if root != nil {
            throw InputError(
                file: file, place: .pointer(""),
                reason: "expected a JSON array of Azure resources or an object with a `value` or `resources` array")
        }
        builder = reader.builder
    }

}
