import Findings
import Foundation

/// Every JSON shape of Azure network resources, each read or refused by name: resource lists
/// (`az resource list`, Resource Graph, the REST API: an array, or an object with a `value` array),
/// `az network … list` and Azure SDK for JavaScript output (properties flattened onto the
/// resource), Python SDK `as_dict()` output (snake_case keys), and ARM templates (deployed offline
/// by `ARMTemplate`, Bicep-compiled ones included). Shapes that are not Azure resources (ARM
/// parameters files, Terraform, CloudFormation) exit 2 saying what they are.
enum AzureJSONImporter {
    static func importDocument(
        _ data: Data, file: String, parameters: ARMParameters = ARMParameters(), into builder: inout NetworkBuilder
    ) throws {
        var reader = AzureResourceReader(file: file, builder: builder)
        let root: Any?
        do {
            root = try data.withUnsafeBytes { raw -> Any? in
                var json = JSONStreamReader(raw.bindMemory(to: UInt8.self))
                // Resource lists stream one resource at a time.
                return try json.read { element, pointer, _ in
                    guard let object = element as? [String: Any] else {
                        throw InputError(
                            file: file, place: .pointer(pointer),
                            reason: "expected a resource object, not a \(ARMParameters.kind(element))")
                    }
                    try reader.readListed(object, pointer: pointer)
                }
            }
        } catch let error as JSONStreamReader.SyntaxError {
            let bicep = file.lowercased().hasSuffix(".bicep") || file.lowercased().hasSuffix(".bicepparam")
            throw InputError(
                file: file, place: .line(error.line),
                reason: bicep
                    ? "Bicep source is not read: compile it to an ARM template first (az bicep build --file \(file))"
                    : "not valid JSON (\(error.message)): expected an Azure resource list, `az network` or SDK output, or an ARM template"
            )
        }
        if let object = root as? [String: Any] {
            if object["value"] is [Any] {
                // Streamed above.
            } else if let reason = refusal(object) {
                throw InputError(file: file, place: .pointer(""), reason: reason)
            } else if object["resources"] is [Any] || object["resources"] is [String: Any] {
                let diagnostics = ARMDiagnostics()
                let deployed = try ARMTemplate.deploy(
                    object, file: file, parameters: parameters.armValues, diagnostics: diagnostics)
                for (pointer, message) in diagnostics.warnings {
                    reader.builder.warn(message, at: SourceLocation(file: file, pointer: pointer))
                }
                reader.fromTemplate = true
                for resource in deployed { try reader.readListed(resource.object, pointer: resource.pointer) }
            } else if object["type"] is String {
                try reader.readListed(object, pointer: "")
            } else {
                let keys = object.keys.sorted().prefix(6).map { "`\($0)`" }.joined(separator: ", ")
                throw InputError(
                    file: file, place: .pointer(""),
                    reason:
                        "a JSON object with \(keys.isEmpty ? "no keys" : keys) but no `value` or `resources` array and no `type`: expected an Azure resource list, a resource, or an ARM template"
                )
            }
        } else if let root {
            throw InputError(
                file: file, place: .pointer(""),
                reason:
                    "a \(ARMParameters.kind(root)): expected a JSON array of Azure resources or an object with a `value` or `resources` array"
            )
        }
        builder = reader.builder
    }

    /// Shapes that look like JSON topology input but are not: refused with what they are.
    static func refusal(_ object: [String: Any]) -> String? {
        let schema = (object["$schema"] as? String ?? "").lowercased()
        if schema.contains("deploymentparameters")
            || (object["resources"] == nil && object["parameters"] is [String: Any] && object["contentVersion"] != nil)
        {
            return "this is an ARM parameters file, not a topology: pass it with --parameters next to its template"
        }
        if object["terraform_version"] != nil || object["format_version"] != nil {
            return
                "this is Terraform state or plan JSON, which is not read: export the deployed resources with `az resource list` (or `az network nsg list` …) instead"
        }
        if object["AWSTemplateFormatVersion"] != nil || object["Resources"] is [String: Any] {
            return "this is an AWS CloudFormation template; Exposure reads Azure resources and ARM templates"
        }
        if let resources = object["resources"], !(resources is [Any]), !(resources is [String: Any]) {
            return
                "`resources` is a \(ARMParameters.kind(resources)): an ARM template has an array of resources (or, with languageVersion 2.0, an object keyed by symbolic name)"
        }
        return nil
    }
}
