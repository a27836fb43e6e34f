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
/// error and exits with status 2. `InputError` is the one type that conforms to it.
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

/// The one error type for unusable input or arguments, in every module: what is wrong, in which file,
/// at which place. Modules throw it; the CLI prints it and exits 2.
public struct InputError: ExposureError {
    public var file: String?
    public var place: InputPlace?
    public var reason: String

    public init(file: String? = nil, place: InputPlace? = nil, reason: String) {
        self.file = file
        self.place = place
        self.reason = reason
    }

    public init(file: String?, line: Int?, reason: String) {
        self.init(file: file, place: line.map { .line($0) }, reason: reason)
    }

    /// The line, when the place is one.
    public var line: Int? {
        if case .line(let n) = place { return n }
        return nil
    }
}
