import Findings
import Foundation

/// Azure resource lists (`az resource list`, Resource Graph, the REST API: an array, or an object
/// with a `value` array), `az network … list` output (properties flattened onto the resource), and
/// ARM templates (a `resources` array with simple `[resourceId()]`, `[parameters()]`,
/// `[variables()]` and `[concat()]` expressions).
enum AzureJSONImporter {
    static func importDocument(_ data: Data, file: String, into builder: inout NetworkBuilder) throws {
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw TopologyInputError(
                file: file, place: JSONParseErrorPlace.place(of: error, in: data),
                reason: "not valid JSON: expected an Azure resource list, `az network` output or an ARM template")
        }
        var reader = AzureResourceReader(file: file, builder: builder, template: nil)
        if let list = root as? [Any] {
            try reader.readResources(list, pointer: "")
        } else if let object = root as? [String: Any] {
            if let value = object["value"] as? [Any] {
                try reader.readResources(value, pointer: "/value")
            } else if let resources = object["resources"] as? [Any] {
                reader.template = ARMTemplateContext(template: object, file: file)
                try reader.readResources(resources, pointer: "/resources")
            } else if object["type"] is String {
                try reader.readResource(object, pointer: "")
            } else {
                throw TopologyInputError(
                    file: file, place: .pointer(""),
                    reason:
                        "a JSON object without `value` or `resources` array: expected an Azure resource list or an ARM template"
                )
            }
        } else {
            throw TopologyInputError(
                file: file, place: .pointer(""),
                reason: "expected a JSON array of Azure resources or an object with a `value` or `resources` array")
        }
        builder = reader.builder
    }
}

/// Where a JSON syntax error is, from Foundation's message ("around line 3, column 7") or the
/// byte offset it reports.
enum JSONParseErrorPlace {
    static func place(of error: Error, in data: Data) -> InputPlace? {
        let text = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
        if let range = text.range(of: "line ") {
            let digits = text[range.upperBound...].prefix { $0.isNumber }
            if let line = Int(digits) { return .line(line) }
        }
        var index = (error as NSError).userInfo["NSJSONSerializationErrorIndex"] as? Int
        if index == nil, let range = text.range(of: "character ") {
            index = Int(text[range.upperBound...].prefix { $0.isNumber })
        }
        if let index {
            let line = data.prefix(index).reduce(1) { $0 + ($1 == 10 ? 1 : 0) }
            return .line(line)
        }
        return nil
    }
}
