import Findings
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What kind of input a file is, judged by its name (and for JSON/YAML by a look at its content).
public enum InputKind: String, Sendable, Hashable {
    case topology
    case capture
    case zone
}

/// One input found by `exposure scan`.
public struct DiscoveredInput: Sendable, Hashable {
    /// The path as reports show it: the root as given joined with the path below it.
    public var path: String
    public var kind: InputKind
    /// The path below the scan root it was found under (the file's name for a file named directly):
    /// what fingerprints are computed from, so the same checkout in two places fingerprints alike.
    public var pathFromRoot: String
    /// Named on the command line rather than found while walking a folder.
    public var named: Bool

    public init(path: String, kind: InputKind, pathFromRoot: String, named: Bool = false) {
        self.path = path
        self.kind = kind
        self.pathFromRoot = pathFromRoot
        self.named = named
    }
}

/// Finds the inputs below the given paths: captures by extension (`.pcap`, `.pcapng`, `.cap`), zones
/// (`.zone`), topologies (`.json`, `.yaml`, `.yml`). Hidden folders, build folders and expected-output
/// files (`*.expected.*`) are passed over, so sample folders can hold their own documentation.
/// Anything found while walking that is not a regular file (a FIFO, a socket, a device) is skipped
/// with a warning, since reading it could block forever; a file reached twice is listed once.
public enum InputDiscovery {
    public static func discover(_ paths: [String]) throws -> (inputs: [DiscoveredInput], warnings: [String]) {
        var found: [DiscoveredInput] = []
        var warnings: [String] = []
        var seen: Set<String> = []
        let fm = FileManager.default
        func add(_ full: String, fromRoot: String, named: Bool = false) {
            guard let kind = kind(of: full) else { return }
            var info = stat()
            guard stat(full, &info) == 0 else {
                warnings.append("skipped \(full): \(String(cString: strerror(errno)))")
                return
            }
            guard (info.st_mode & S_IFMT) == S_IFREG else {
                warnings.append("skipped \(full): not a regular file (a FIFO, socket or device is not read)")
                return
            }
            guard seen.insert("\(info.st_dev):\(info.st_ino)").inserted else { return }
            found.append(DiscoveredInput(path: full, kind: kind, pathFromRoot: fromRoot, named: named))
        }
        for path in paths {
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw InputError(file: path, reason: "no such file or directory")
            }
            if !isDirectory.boolValue {
                add(path, fromRoot: (path as NSString).lastPathComponent, named: true)
                continue
            }
            guard let walker = fm.enumerator(atPath: path) else {
                throw InputError(file: path, reason: "cannot read the folder")
            }
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
                let full = path == "." ? relative : (path as NSString).appendingPathComponent(relative)
                add(full, fromRoot: relative)
            }
        }
        return (found, warnings)
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
