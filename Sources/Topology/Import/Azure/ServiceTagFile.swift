import Findings
import Foundation

/// Reads Azure's published service tag file (`ServiceTags_Public_*.json`, or the output of
/// `az network list-service-tags`): `{"changeNumber", "cloud", "values": [{"name", "id",
/// "properties": {"addressPrefixes": [...], …}}]}`. Each value's IPv4 and IPv6 prefixes are kept
/// under its name (and its id, when that differs). Anything else is refused with the JSON pointer
/// of the first problem.
extension ServiceTags {
    static let shape =
        "Azure's service tag file ({\"values\": [{\"name\": …, \"properties\": {\"addressPrefixes\": […]}}]})"

    public static func parse(_ data: Data, file: String) throws -> ServiceTags {
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw InputError(file: file, place: .pointer(""), reason: "not valid JSON: expected \(shape)")
        }
        guard let object = root as? [String: Any] else {
            let hint = root is [Any] ? " (a list of resources is a topology: give it as a FILE)" : ""
            throw InputError(
                file: file, place: .pointer(""), reason: "expected \(shape), not a JSON \(kind(root))\(hint)")
        }
        if object["resources"] != nil {
            throw InputError(
                file: file, place: .pointer("/resources"),
                reason: "this is an ARM template, not a service tag file: give it as a topology FILE")
        }
        guard let values = object["values"] else {
            throw InputError(file: file, place: .pointer(""), reason: "expected \(shape): there is no `values` list")
        }
        guard let list = values as? [Any] else {
            throw InputError(
                file: file, place: .pointer("/values"),
                reason: "`values` must be a list of service tags, not a \(kind(values))")
        }
        var prefixes: [String: [NetworkPrefix]] = [:]
        var names: Set<String> = []
        for (i, item) in list.enumerated() {
            let pointer = "/values/\(i)"
            guard let tag = item as? [String: Any] else {
                throw InputError(
                    file: file, place: .pointer(pointer), reason: "a service tag must be an object, not a \(kind(item))"
                )
            }
            guard let name = tag["name"] as? String, !name.isEmpty else {
                throw InputError(
                    file: file, place: .pointer(pointer + "/name"), reason: "a service tag needs a `name` string")
            }
            guard let properties = tag["properties"] as? [String: Any] else {
                throw InputError(
                    file: file, place: .pointer(pointer + "/properties"),
                    reason: "service tag '\(name)' needs a `properties` object with `addressPrefixes`")
            }
            guard let addressPrefixes = properties["addressPrefixes"] as? [Any] else {
                throw InputError(
                    file: file, place: .pointer(pointer + "/properties/addressPrefixes"),
                    reason: "service tag '\(name)' needs an `addressPrefixes` list")
            }
            var own: [NetworkPrefix] = []
            own.reserveCapacity(addressPrefixes.count)
            for (j, entry) in addressPrefixes.enumerated() {
                let place = InputPlace.pointer(pointer + "/properties/addressPrefixes/\(j)")
                guard let text = entry as? String else {
                    throw InputError(
                        file: file, place: place, reason: "an address prefix must be a string, not a \(kind(entry))")
                }
                if let prefix = NetworkPrefix(text) {
                    own.append(prefix)
                } else {
                    throw InputError(
                        file: file, place: place,
                        reason: "'\(text)' in service tag '\(name)' is not an IPv4 or IPv6 prefix")
                }
            }
            names.insert(name.lowercased())
            prefixes[name.lowercased(), default: []] += own
            if let id = tag["id"] as? String, !id.isEmpty, id.lowercased() != name.lowercased() {
                prefixes[id.lowercased(), default: []] += own
            }
        }
        return ServiceTags(
            file: file, changeNumber: number(object["changeNumber"]), cloud: object["cloud"] as? String,
            prefixes: prefixes, tagCount: names.count)
    }

    private static func number(_ value: Any?) -> Int? {
        if let n = value as? Int { return n }
        if let s = value as? String { return Int(s) }
        return nil
    }

    private static func kind(_ value: Any) -> String {
        switch value {
        case is [String: Any]: "object"
        case is [Any]: "list"
        case is String: "string"
        case is NSNumber: "number"
        default: "null"
        }
    }
}
