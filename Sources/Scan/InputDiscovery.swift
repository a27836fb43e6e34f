import Findings
import Foundation

/// What kind of input a file is, judged by its name (and for JSON/YAML by a look at its content).
public enum InputKind: String, Sendable, Hashable {
    case topology
    case capture
    case zone
}

/// One input found by `exposure scan`.
public struct DiscoveredInput: Sendable, Hashable {
    public var path: String
    public var kind: InputKind
}

/// Finds the inputs below the given paths: captures by extension (`.pcap`, `.pcapng`, `.cap`), zones
/// (`.zone`), topologies (`.json`, `.yaml`, `.yml`). Hidden folders, build folders and expected-output
/// files (`*.expected.*`) are passed over, so sample folders can hold their own documentation.
public enum InputDiscovery {
    public static func discover(_ paths: [String]) throws -> [DiscoveredInput] {
        var found: [DiscoveredInput] = []
        let fm = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw InputError(file: path, reason: "no such file or directory")
            }
            if !isDirectory.boolValue {
                if let kind = kind(of: path) { found.append(DiscoveredInput(path: path, kind: kind)) }
                continue
            }
            guard let walker = fm.enumerator(atPath: path) else { continue }
            var files: [String] = []
            while let relative = walker.nextObject() as? String {
                let name = (relative as NSString).lastPathComponent
                if name.hasPrefix(".") || name.hasPrefix(".build") {
                    walker.skipDescendants()
                    continue
                }
                files.append(relative)
            }
            for relative in files.sorted() {
                let full = (path as NSString).appendingPathComponent(relative)
                if let kind = kind(of: full) { found.append(DiscoveredInput(path: full, kind: kind)) }
            }
        }
        return found
    }

    /// The kind of one file, or nil when scan has no analyzer for it.
    public static func kind(of path: String) -> InputKind? {
        let name = (path as NSString).lastPathComponent.lowercased()
        if name.contains(".expected.") { return nil }
        let ext = (name as NSString).pathExtension
        switch ext {
        case "pcap", "pcapng", "cap": return .capture
        case "zone": return .zone
        case "json", "yaml", "yml": return .topology
        default: return nil
        }
    }
}
