import Findings
import Foundation

/// An ARM parameters file (`azuredeploy.parameters.json`): `{"parameters": {"name": {"value": …}}}`,
/// with or without the `$schema`/`contentVersion` wrapper. A Key Vault `reference` stands for a
/// secret that stays unknown offline (and is never read). Later files win over earlier ones.
public struct ARMParameters: Sendable {
    /// Values by parameter name, as JSON text (Sendable), decoded when a template is deployed.
    var values: [String: String] = [:]

    public init() {}

    /// Reads the files in order; a parameter given twice takes the later value.
    public static func load(files: [String]) throws -> ARMParameters {
        var result = ARMParameters()
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw InputError(file: file, place: nil, reason: "cannot read the parameters file")
            }
            try result.read(data, file: file)
        }
        return result
    }

    public mutating func read(_ data: Data, file: String) throws {
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw InputError(
                file: file, place: .pointer(""),
                reason: "not valid JSON: expected an ARM parameters file ({\"parameters\": {\"name\": {\"value\": …}}})"
            )
        }
        guard let object = root as? [String: Any] else {
            throw InputError(
                file: file, place: .pointer(""),
                reason: "an ARM parameters file is a JSON object with `parameters`, not a \(Self.kind(root))")
        }
        if object["resources"] != nil {
            throw InputError(
                file: file, place: .pointer("/resources"),
                reason: "this is an ARM template, not a parameters file: give it as a topology FILE")
        }
        guard let parameters = object["parameters"] as? [String: Any] else {
            throw InputError(
                file: file, place: .pointer(object["parameters"] == nil ? "" : "/parameters"),
                reason:
                    "an ARM parameters file needs a `parameters` object ({\"parameters\": {\"name\": {\"value\": …}}})")
        }
        for name in parameters.keys.sorted() {
            let pointer = "/parameters/\(ARMScope.escape(name))"
            guard let spec = parameters[name] as? [String: Any] else {
                throw InputError(
                    file: file, place: .pointer(pointer),
                    reason: "parameter '\(name)' must be an object with `value` (or a Key Vault `reference`)")
            }
            if let value = spec["value"] {
                let data = try JSONSerialization.data(withJSONObject: ["v": value], options: [.sortedKeys])
                values[name.lowercased()] = String(decoding: data, as: UTF8.self)
            } else if spec["reference"] != nil {
                values[name.lowercased()] = nil
                values["\u{0}ref:" + name.lowercased()] = name
            } else {
                throw InputError(
                    file: file, place: .pointer(pointer),
                    reason: "parameter '\(name)' has neither `value` nor `reference`")
            }
        }
    }

    /// The values for a deployment.
    var armValues: [String: ARMValue] {
        var result: [String: ARMValue] = [:]
        for (key, text) in values {
            if key.hasPrefix("\u{0}ref:") {
                result[text] = .unknown("Key Vault secret for \(text)")
            } else if let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
                let v = object["v"]
            {
                result[key] = ARMValue(v)
            }
        }
        return result
    }

    static func kind(_ value: Any) -> String {
        switch value {
        case is [Any]: "JSON array"
        case is String: "JSON string"
        case is NSNumber: "JSON number"
        default: "JSON null"
        }
    }
}
