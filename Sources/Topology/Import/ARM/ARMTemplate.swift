import Findings
import Foundation

/// One resource as Azure would deploy it: every expression evaluated, loops expanded, conditions
/// applied, child resources lifted to the top with their full type and name. `pointer` locates the
/// resource in the template it came from.
struct ARMDeployedResource {
    var object: [String: Any]
    var pointer: String
}

/// Deploys an ARM template offline, as Azure Resource Manager would: parameters from parameters
/// files, then defaults, then symbolic values; variables; `condition`; resource, property and
/// variable `copy` loops; child resources; nested inline deployments (`Microsoft.Resources/
/// deployments` with `properties.template`, in the inner or outer expression scope); and
/// `reference()` of resources in the template. Templates compiled from Bicep with
/// `languageVersion` 2.0 (`resources` as an object keyed by symbolic name) are read the same way.
enum ARMTemplate {
    /// Azure's limit on the iterations of one copy loop.
    static let maximumCopyCount = 800
    /// Nested deployments deeper than this are refused (Azure's own limit is far lower in practice).
    static let maximumNesting = 16

    /// Resource types whose properties the topology reads; other resources are deployed (names,
    /// conditions, loops) but their properties are not evaluated, which keeps warnings about
    /// unrelated settings (scripts, disks, secrets) away.
    static let readTypes: Set<String> = Set([
        "microsoft.network/virtualnetworks", "microsoft.network/virtualnetworks/subnets",
        "microsoft.network/virtualnetworks/virtualnetworkpeerings", "microsoft.network/networksecuritygroups",
        "microsoft.network/networksecuritygroups/securityrules", "microsoft.network/networkinterfaces",
        "microsoft.network/publicipaddresses", "microsoft.network/applicationsecuritygroups",
        "microsoft.compute/virtualmachines",
        "microsoft.network/routetables", "microsoft.network/routetables/routes", "microsoft.network/azurefirewalls",
        "microsoft.network/firewallpolicies", "microsoft.network/firewallpolicies/rulecollectiongroups",
    ]).union(DoorsReader.readTypes)
    /// Parts of a VM that say nothing about the network (and hold credentials).
    static let skippedVMProperties: Set<String> = [
        "osprofile", "storageprofile", "hardwareprofile", "diagnosticsprofile", "securityprofile",
        "additionalcapabilities",
    ]

    /// Deploys `template` (the document's root object) and returns its resources, or throws for what
    /// Azure would refuse outright (a copy count above the limit, nesting too deep).
    static func deploy(
        _ template: [String: Any], file: String, parameters: [String: ARMValue], diagnostics: ARMDiagnostics
    ) throws -> [ARMDeployedResource] {
        let scope = ARMScope(
            template: template, file: file, pointer: "", supplied: parameters, diagnostics: diagnostics)
        for name in scope.undeclaredSuppliedParameters {
            diagnostics.warn(
                "the parameters file gives '\(name)', which the template does not declare", at: "/parameters")
        }
        var deployment = Deployment(file: file, diagnostics: diagnostics)
        try deployment.collect(template, scope: scope, pointer: "", depth: 0)
        let resources = try deployment.finish()
        if let pointer = diagnostics.exhaustedAt {
            throw InputError(
                file: file, place: .pointer(pointer),
                reason:
                    "the template needs more than \(ARMDiagnostics.stepBudget) expression evaluations (loops inside loops?); refusing to deploy it"
            )
        }
        return resources
    }

    /// A resource found in the template, before its properties are evaluated.
    final class Pending {
        let raw: [String: Any]
        let pointer: String
        let scope: ARMScope
        let copyIndices: [String: Int]
        let type: String
        let name: String
        let id: String
        let symbolicName: String?
        var evaluated: [String: Any]?
        var evaluating = false

        init(
            raw: [String: Any], pointer: String, scope: ARMScope, copyIndices: [String: Int], type: String,
            name: String, id: String, symbolicName: String?
        ) {
            self.raw = raw
            self.pointer = pointer
            self.scope = scope
            self.copyIndices = copyIndices
            self.type = type
            self.name = name
            self.id = id
            self.symbolicName = symbolicName
        }
    }

    struct Deployment {
        let file: String
        let diagnostics: ARMDiagnostics
        var pending: [Pending] = []
        var byID: [String: Pending] = [:]
        var bySymbolicName: [String: Pending] = [:]

        init(file: String, diagnostics: ARMDiagnostics) {
            self.file = file
            self.diagnostics = diagnostics
        }

        func fail(_ pointer: String, _ reason: String) -> InputError {
            InputError(file: file, place: .pointer(pointer), reason: reason)
        }

        /// The template's resources as an ordered list of (pointer, resource, symbolic name).
        func resources(of template: [String: Any], pointer: String) throws -> [(String, [String: Any], String?)] {
            switch template["resources"] {
            case nil: return []
            case let list as [Any]:
                return try list.enumerated().map { i, item in
                    guard let object = item as? [String: Any] else {
                        throw fail("\(pointer)/resources/\(i)", "expected a resource object")
                    }
                    return ("\(pointer)/resources/\(i)", object, nil)
                }
            case let dict as [String: Any]:
                return try dict.keys.sorted().map { key in
                    let here = "\(pointer)/resources/\(ARMScope.escape(key))"
                    guard let object = dict[key] as? [String: Any] else {
                        throw fail(here, "expected a resource object")
                    }
                    return (here, object, key)
                }
            default:
                throw fail("\(pointer)/resources", "`resources` must be an array, or an object keyed by symbolic name")
            }
        }

        mutating func collect(_ template: [String: Any], scope: ARMScope, pointer: String, depth: Int) throws {
            for (here, raw, symbolic) in try resources(of: template, pointer: pointer) {
                try collect(
                    resource: raw, pointer: here, scope: scope, parent: nil, symbolicName: symbolic, depth: depth)
            }
        }

        /// One resource, expanded over its copy loop, with its child resources.
        mutating func collect(
            resource raw: [String: Any], pointer: String, scope: ARMScope, parent: (type: String, name: String)?,
            symbolicName: String?, depth: Int
        ) throws {
            if let existing = raw["existing"] as? Bool, existing { return }
            var iterations: [Int?] = [nil]
            if let loop = raw["copy"] as? [String: Any] {
                do {
                    let n = try scope.loopCount(loop, pointer: pointer + "/copy")
                    iterations = (0..<n).map { $0 }
                } catch let error as ARMEvaluationError {
                    if error.message.contains("limit") || error.message.contains("negative") {
                        throw fail(pointer + "/copy/count", error.message)
                    }
                    diagnostics.warn(
                        "\(error.message); the resource is read once, as if the loop had one iteration",
                        at: pointer + "/copy/count")
                    iterations = [0]
                }
            }
            let loopName = ((raw["copy"] as? [String: Any])?["name"] as? String)?.lowercased()
            let saved = scope.copyIndices
            defer { scope.copyIndices = saved }
            for iteration in iterations where diagnostics.exhaustedAt == nil {
                if let iteration {
                    scope.copyIndices[""] = iteration
                    if let loopName { scope.copyIndices[loopName] = iteration }
                }
                if let condition = raw["condition"] {
                    switch scope.evaluate(condition, pointer: pointer + "/condition") {
                    case .bool(false): continue
                    case .bool(true): break
                    case .string(let s) where s.lowercased() == "false": continue
                    default:
                        diagnostics.warn(
                            "the condition is not known; the resource is read as deployed (the conservative reading)",
                            at: pointer + "/condition")
                    }
                }
                var type = scope.evaluate(raw["type"] ?? "", pointer: pointer + "/type").text
                var name = scope.evaluate(raw["name"] ?? "", pointer: pointer + "/name").text
                if let parent, !type.lowercased().hasPrefix(parent.type.lowercased() + "/") {
                    type = parent.type + "/" + type
                    name = parent.name + "/" + name
                } else if let parent, !name.contains("/") {
                    name = parent.name + "/" + name
                }
                if type.lowercased() == "microsoft.resources/deployments" {
                    try nested(raw, pointer: pointer, scope: scope, depth: depth)
                    continue
                }
                let id = ARMScope.resourceID(
                    scope: ARMScope.resourceGroupID, type: type, names: name.split(separator: "/").map(String.init))
                let item = Pending(
                    raw: raw, pointer: pointer, scope: scope, copyIndices: scope.copyIndices, type: type, name: name,
                    id: id, symbolicName: symbolicName)
                pending.append(item)
                if byID[id.lowercased()] == nil { byID[id.lowercased()] = item }
                if let symbolicName, bySymbolicName[symbolicName.lowercased()] == nil {
                    bySymbolicName[symbolicName.lowercased()] = item
                }
                if let children = raw["resources"] as? [Any] {
                    for (i, child) in children.enumerated() {
                        guard let object = child as? [String: Any] else {
                            throw fail("\(pointer)/resources/\(i)", "expected a resource object")
                        }
                        try collect(
                            resource: object, pointer: "\(pointer)/resources/\(i)", scope: scope,
                            parent: (type, name), symbolicName: nil, depth: depth)
                    }
                }
            }
        }

        /// A nested deployment: its inline template deploys with its own parameters (inner scope) or
        /// with the parent's parameters and variables (outer scope, the default).
        mutating func nested(_ raw: [String: Any], pointer: String, scope: ARMScope, depth: Int) throws {
            guard let properties = raw["properties"] as? [String: Any] else { return }
            guard let template = properties["template"] as? [String: Any] else {
                if properties["templateLink"] != nil {
                    diagnostics.warn(
                        "a linked template (templateLink) is not fetched offline; its resources are not in the topology",
                        at: pointer + "/properties/templateLink")
                }
                return
            }
            let here = pointer + "/properties/template"
            guard depth + 1 <= ARMTemplate.maximumNesting else {
                throw fail(
                    here,
                    "nested deployments go deeper than \(ARMTemplate.maximumNesting) levels (recursion?); refusing to expand them"
                )
            }
            let options = properties["expressionEvaluationOptions"] as? [String: Any]
            let inner = (options?["scope"] as? String)?.lowercased() == "inner"
            if inner {
                var supplied: [String: ARMValue] = [:]
                for (name, spec) in properties["parameters"] as? [String: Any] ?? [:] {
                    guard let spec = spec as? [String: Any] else { continue }
                    if let value = spec["value"] {
                        supplied[name] = scope.evaluate(
                            value, pointer: "\(pointer)/properties/parameters/\(ARMScope.escape(name))/value")
                    } else if spec["reference"] != nil {
                        supplied[name] = .unknown("key vault reference for \(name)")
                    }
                }
                let child = ARMScope(
                    template: template, file: file, pointer: here, supplied: supplied, diagnostics: diagnostics)
                try collect(template, scope: child, pointer: here, depth: depth + 1)
            } else {
                try collect(template, scope: scope, pointer: here, depth: depth + 1)
            }
        }

        /// Evaluates one resource's properties (once).
        func evaluate(_ item: Pending) throws -> [String: Any] {
            if let done = item.evaluated { return done }
            guard !item.evaluating else {
                throw ARMEvaluationError("reference() cycle through '\(item.name)'")
            }
            item.evaluating = true
            defer { item.evaluating = false }
            let saved = item.scope.copyIndices
            item.scope.copyIndices = item.copyIndices
            defer { item.scope.copyIndices = saved }
            var object: [String: Any] = ["type": item.type, "name": item.name, "id": item.id]
            let read = ARMTemplate.readTypes.contains(item.type.lowercased())
            for (key, value) in item.raw {
                switch key.lowercased() {
                case "type", "name", "id", "copy", "condition", "resources", "dependson", "comments", "apiversion",
                    "metadata", "existing":
                    continue
                case "properties" where !read:
                    continue
                case "properties":
                    guard var props = value as? [String: Any] else {
                        object[key] = item.scope.evaluate(value, pointer: item.pointer + "/" + key).foundation
                        continue
                    }
                    if item.type.lowercased() == "microsoft.compute/virtualmachines" {
                        for k in props.keys where ARMTemplate.skippedVMProperties.contains(k.lowercased()) {
                            props[k] = nil
                        }
                    }
                    object[key] = item.scope.evaluate(props, pointer: item.pointer + "/" + key).foundation
                case "tags", "sku", "location", "zones", "kind":
                    object[key] = item.scope.evaluate(value, pointer: item.pointer + "/" + key).foundation
                default:
                    continue
                }
            }
            item.evaluated = object
            return object
        }

        /// `reference(idOrName)`: the properties of a resource deployed by the template (or the whole
        /// resource with 'Full'). Runtime-only properties stay unknown.
        func reference(_ target: String, full: Bool) throws -> ARMValue {
            let key = target.lowercased()
            let found =
                byID[key] ?? bySymbolicName[key]
                ?? pending.first { $0.name.lowercased() == key || $0.id.lowercased().hasSuffix("/" + key) }
            guard let found else {
                return .unknown("reference('\(target)')")
            }
            let object = ARMValue(try evaluate(found))
            if full { return object }
            return object["properties"] ?? .object([])
        }

        func finish() throws -> [ARMDeployedResource] {
            let this = self
            for item in pending {
                item.scope.referenceResolver = { target, full in try this.reference(target, full: full) }
            }
            var result: [ARMDeployedResource] = []
            for item in pending {
                result.append(ARMDeployedResource(object: try evaluate(item), pointer: item.pointer))
            }
            for item in pending { item.scope.referenceResolver = nil }
            return result
        }
    }
}
