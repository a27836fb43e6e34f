/// A resource identifier that compares case-insensitively, as Azure's ids do (real exports differ in
/// the case of resource-group names). The original spelling is kept for display.
public struct ResourceID: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The id as written in the input.
    public let text: String
    /// The lower-cased id used for comparison.
    public let key: String

    public init(_ text: String) {
        var trimmed = text
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        self.text = trimmed
        self.key = trimmed.lowercased()
    }

    public static func == (a: ResourceID, b: ResourceID) -> Bool { a.key == b.key }
    public func hash(into hasher: inout Hasher) { hasher.combine(key) }
    public static func < (a: ResourceID, b: ResourceID) -> Bool { a.key < b.key }

    /// The last path component: the resource's own name in an Azure id.
    public var lastComponent: String {
        guard let slash = text.lastIndex(of: "/") else { return text }
        return String(text[text.index(after: slash)...])
    }

    public var description: String { text }
}
