/// Where in an input a problem was found, in the unit that input is counted in.
public enum InputPlace: Sendable, Hashable, CustomStringConvertible {
    case line(Int)
    case pointer(String)
    case packet(Int)
    /// Free text for places none of the above fits, e.g. `row 4`.
    case other(String)

    public var description: String {
        switch self {
        case .line(let n): "line \(n)"
        case .pointer(let p): "at \(p.isEmpty ? "/" : p)"
        case .packet(let n): "packet \(n)"
        case .other(let s): s
        }
    }
}

/// An error a user can act on: unusable input or arguments. The CLI prints it as one line on standard
/// error and exits with status 2. Each module has one type conforming to this protocol.
public protocol ExposureError: Error, CustomStringConvertible, Sendable {
    /// The input the problem is in, if it is in a file.
    var file: String? { get }
    /// The place in that file.
    var place: InputPlace? { get }
    /// What is wrong and, when it helps, what to do.
    var reason: String { get }
}

extension ExposureError {
    /// `FILE: PLACE: reason`, leaving out what is unknown.
    public var description: String {
        var parts: [String] = []
        if let file { parts.append(file) }
        if let place { parts.append(place.description) }
        parts.append(reason)
        return parts.joined(separator: ": ")
    }
}

/// An analyzer or command that has not been built yet. Saying so plainly is better than printing an
/// empty report that reads as "nothing found".
public struct NotYetAvailable: ExposureError {
    public let feature: String
    public var file: String? { nil }
    public var place: InputPlace? { nil }
    public var reason: String { "\(feature) is not available yet in this version of exposure; nothing was analysed" }

    public init(_ feature: String) { self.feature = feature }
}
