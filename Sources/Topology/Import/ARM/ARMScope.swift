import Foundation

/// Why an expression could not be evaluated. The caller turns it into a warning naming the
/// expression and its JSON pointer, and the value into `unknown`.
struct ARMEvaluationError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

/// Warnings collected while a template deploys, shared by nested deployments; each is said once.
final class ARMDiagnostics {
    private(set) var warnings: [(pointer: String, message: String)] = []
    private var seen: Set<String> = []
    /// Expressions evaluated so far, against a budget no real template comes near: loops inside
    /// loops and variables that double each other must end in an error, not a hang.
    var steps = 0
    static let stepBudget = 500_000
    /// Where the budget ran out, if it did.
    var exhaustedAt: String?

    func warn(_ message: String, at pointer: String) {
        guard seen.insert(pointer + "\u{0}" + message).inserted else { return }
        warnings.append((pointer, message))
    }
}

/// What a template's expressions can see: its parameters and variables (or its parent's, for a
/// nested deployment in the outer scope), the copy loop indices in effect, and the resources of
/// the deployment for `reference()`.
final class ARMScope {
    let file: String
    let diagnostics: ARMDiagnostics
    /// The resource group and subscription are unknown offline: fixed placeholders, so ids built by
    /// `resourceId()`, by `concat(resourceGroup().id, …)` and by hand agree.
    static let subscriptionID = "00000000-0000-0000-0000-000000000000"
    static let resourceGroupName = "template"
    static var resourceGroupID: String { "/subscriptions/\(subscriptionID)/resourceGroups/\(resourceGroupName)" }

    private var parameterSpecs: [String: (name: String, spec: [String: Any])] = [:]
    private var parameterValues: [String: ARMValue] = [:]
    private var suppliedParameters: [String: ARMValue]
    private var rawVariables: [String: Any] = [:]
    private var variableCopies: [String: [String: Any]] = [:]
    private var variableValues: [String: ARMValue] = [:]
    private var inProgress: Set<String> = []
    /// Pointer of the template inside the file (`""` at the top, `/resources/2/properties/template`
    /// for a nested one), for locating parameters and variables.
    let templatePointer: String
    /// Copy loop indices: the resource's own loop under "", property and variable loops by name.
    var copyIndices: [String: Int] = [:]
    /// Resolves `reference()` of a resource in the deployment.
    var referenceResolver: ((String, Bool) throws -> ARMValue)?

    init(
        template: [String: Any], file: String, pointer: String, supplied: [String: ARMValue],
        diagnostics: ARMDiagnostics
    ) {
        self.file = file
        self.templatePointer = pointer
        self.diagnostics = diagnostics
        var lowered: [String: ARMValue] = [:]
        for (k, v) in supplied { lowered[k.lowercased()] = v }
        self.suppliedParameters = lowered
        for (name, spec) in template["parameters"] as? [String: Any] ?? [:] {
            parameterSpecs[name.lowercased()] = (name, spec as? [String: Any] ?? [:])
        }
        for (name, value) in template["variables"] as? [String: Any] ?? [:] {
            if name.lowercased() == "copy", let loops = value as? [Any] {
                for case let loop as [String: Any] in loops {
                    if let loopName = loop["name"] as? String { variableCopies[loopName.lowercased()] = loop }
                }
            } else {
                rawVariables[name.lowercased()] = value
            }
        }
    }

    /// Names of parameters the file supplied that the template does not declare.
    var undeclaredSuppliedParameters: [String] {
        suppliedParameters.keys.filter { parameterSpecs[$0] == nil }.sorted()
    }

    // MARK: Evaluating template values

    /// Evaluates every expression in a JSON value, including `copy` property loops; strings that are
    /// not expressions are kept (the `[[` escape loses one bracket).
    func evaluate(_ any: Any, pointer: String) -> ARMValue {
        diagnostics.steps += 1
        if diagnostics.steps > ARMDiagnostics.stepBudget {
            if diagnostics.exhaustedAt == nil { diagnostics.exhaustedAt = pointer }
            return .null
        }
        switch any {
        case let text as String: return evaluateString(text, pointer: pointer)
        case let list as [Any]:
            return .array(list.enumerated().map { evaluate($0.element, pointer: "\(pointer)/\($0.offset)") })
        case let dict as [String: Any]:
            var pairs: [(key: String, value: ARMValue)] = []
            for key in dict.keys.sorted() {
                let here = "\(pointer)/\(Self.escape(key))"
                if key.lowercased() == "copy", let loops = dict[key] as? [Any],
                    loops.allSatisfy({ $0 is [String: Any] }),
                    loops.contains(where: { ($0 as? [String: Any])?["input"] != nil })
                {
                    for (i, item) in loops.enumerated() {
                        guard let loop = item as? [String: Any], let name = loop["name"] as? String else { continue }
                        pairs.append((name, propertyLoop(loop, pointer: "\(here)/\(i)")))
                    }
                    continue
                }
                pairs.append((key, evaluate(dict[key]!, pointer: here)))
            }
            return .object(pairs)
        default: return ARMValue(any)
        }
    }

    static func escape(_ key: String) -> String {
        key.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    func evaluateString(_ text: String, pointer: String) -> ARMValue {
        if text.hasPrefix("[[") { return .string(String(text.dropFirst())) }
        guard ARMExpression.isExpression(text) else { return .string(text) }
        let inner = text.dropFirst().dropLast()
        diagnostics.steps += 1
        guard diagnostics.steps <= ARMDiagnostics.stepBudget else {
            if diagnostics.exhaustedAt == nil { diagnostics.exhaustedAt = pointer }
            return .unknown(String(inner))
        }
        do {
            let expression = try ARMExpression.parse(inner)
            return try evaluate(expression)
        } catch let error as ARMExpression.SyntaxError {
            diagnostics.warn("cannot read the expression \(text) (\(error.message)); its value is unknown", at: pointer)
        } catch let error as ARMEvaluationError {
            diagnostics.warn("cannot evaluate \(text) (\(error.message)); its value is unknown", at: pointer)
        } catch {
            diagnostics.warn("cannot evaluate \(text); its value is unknown", at: pointer)
        }
        return .unknown(String(inner))
    }

    /// The number of iterations of a loop, checked against Azure's limit.
    func loopCount(_ loop: [String: Any], pointer: String) throws -> Int {
        guard let raw = loop["count"] else { throw ARMEvaluationError("a copy loop without `count`") }
        switch evaluate(raw, pointer: pointer + "/count") {
        case .int(let n) where n >= 0 && n <= ARMTemplate.maximumCopyCount: return n
        case .int(let n) where n < 0: throw ARMEvaluationError("copy count \(n) is negative")
        case .int(let n):
            throw ARMEvaluationError(
                "copy count \(n) is above Azure's limit of \(ARMTemplate.maximumCopyCount)")
        case .unknown(let t): throw ARMEvaluationError("copy count \(ARMValue.symbol(t)) is not known")
        case let other: throw ARMEvaluationError("copy count is a \(other.typeName), not an integer")
        }
    }

    private func propertyLoop(_ loop: [String: Any], pointer: String) -> ARMValue {
        let name = (loop["name"] as? String ?? "").lowercased()
        let count: Int
        do {
            count = try loopCount(loop, pointer: pointer)
        } catch let error as ARMEvaluationError {
            diagnostics.warn("property loop '\(name)': \(error.message); its value is unknown", at: pointer)
            return .unknown("copy \(name)")
        } catch {
            return .unknown("copy \(name)")
        }
        let saved = copyIndices[name]
        defer { copyIndices[name] = saved }
        var items: [ARMValue] = []
        for i in 0..<count where diagnostics.exhaustedAt == nil {
            copyIndices[name] = i
            items.append(evaluate(loop["input"] ?? NSNull(), pointer: pointer + "/input"))
        }
        return .array(items)
    }

    // MARK: Parameters and variables

    func parameter(_ name: String) throws -> ARMValue {
        let key = name.lowercased()
        if let value = parameterValues[key] { return value }
        guard let (declared, spec) = parameterSpecs[key] else {
            throw ARMEvaluationError("the template declares no parameter '\(name)'")
        }
        let value: ARMValue
        if let supplied = suppliedParameters[key] {
            value = supplied
        } else if let defaultValue = spec["defaultValue"] {
            guard inProgress.insert("p:" + key).inserted else {
                throw ARMEvaluationError("parameter '\(declared)' refers to itself")
            }
            value = evaluate(
                defaultValue, pointer: "\(templatePointer)/parameters/\(Self.escape(declared))/defaultValue")
            inProgress.remove("p:" + key)
        } else {
            diagnostics.warn(
                "parameter '\(declared)' has no value (no parameters file gives one and it has no default); it is treated as a symbolic value equal only to itself",
                at: "\(templatePointer)/parameters/\(Self.escape(declared))")
            let type = (spec["type"] as? String ?? "string").lowercased()
            value = type == "string" || type == "securestring" ? .string(ARMValue.symbol(declared)) : .unknown(declared)
        }
        parameterValues[key] = value
        return value
    }

    func variable(_ name: String) throws -> ARMValue {
        let key = name.lowercased()
        if let value = variableValues[key] { return value }
        guard inProgress.insert("v:" + key).inserted else {
            throw ARMEvaluationError("variable '\(name)' refers to itself")
        }
        defer { inProgress.remove("v:" + key) }
        let value: ARMValue
        if let raw = rawVariables[key] {
            value = evaluate(raw, pointer: "\(templatePointer)/variables/\(Self.escape(name))")
        } else if let loop = variableCopies[key] {
            value = propertyLoop(loop, pointer: "\(templatePointer)/variables/copy")
        } else {
            throw ARMEvaluationError("the template declares no variable '\(name)'")
        }
        variableValues[key] = value
        return value
    }
}
