import Findings
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Reads the files named on the command line: `-` is standard input, pipes and FIFOs (`<(…)`,
/// `/dev/stdin`) are read to their end, and every failure says why, with the system's reason.
enum InputFiles {
    /// Standard input, read once: a second `-` would find it empty.
    nonisolated(unsafe) private static var standardInput: Data?

    static func read(_ path: String, limit: Int = Int.max) throws -> Data {
        if path == "-" {
            if let cached = standardInput { return cached }
            let data = try readAll(descriptor: STDIN_FILENO, name: "-", limit: limit)
            standardInput = data
            return data
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw readError(path, errno) }
        defer { _ = close(fd) }
        var info = stat()
        if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            throw InputError(file: path, reason: "cannot read the file: it is a directory")
        }
        return try readAll(descriptor: fd, name: path, limit: limit)
    }

    private static func readAll(descriptor: Int32, name: String, limit: Int) throws -> Data {
        var data = Data()
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw readError(name, errno)
            }
            if n == 0 { return data }
            data.append(contentsOf: chunk[0..<n])
            if data.count > limit {
                throw InputError(file: name, reason: "the file is larger than the \(limit >> 20) MiB this input may be")
            }
        }
    }

    static func readError(_ path: String, _ code: Int32) -> InputError {
        InputError(file: path, reason: "cannot read the file: \(String(cString: strerror(code)))")
    }

    /// Whether `path` is a regular file (false for `-`, pipes, FIFOs, devices and what does not exist).
    static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return path != "-" && stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    /// The files in order with repeats left out: the same file named twice (or by two paths, such as
    /// `a.pcap` and `./a.pcap` or a link to it) is read once.
    static func distinct(_ paths: [String]) -> [String] {
        var seen: Set<String> = []
        var out: [String] = []
        for path in paths {
            var info = stat()
            let key: String
            if path != "-", stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG {
                key = "\(info.st_dev):\(info.st_ino)"
            } else {
                key = "path:" + path
            }
            if seen.insert(key).inserted { out.append(path) }
        }
        return out
    }

    /// A file libpcap or libldns reads by path: `-` and other non-regular files are first copied to a
    /// private temporary file. Returns the path to read and a function that removes the copy; names
    /// in errors and reports are turned back into the one the user gave with `InputNames`.
    static func readablePath(_ path: String, names: InputNames) throws -> String {
        guard !isRegularFile(path) else { return path }
        let data = try read(path)
        let copy = FileManager.default.temporaryDirectory
            .appendingPathComponent("exposure-input-\(getpid())-\(names.count)")
            .appendingPathExtension((path as NSString).pathExtension)
        guard FileManager.default.createFile(atPath: copy.path, contents: data, attributes: [.posixPermissions: 0o600])
        else {
            throw InputError(file: path, reason: "cannot copy the input to a temporary file")
        }
        names.add(copy: copy.path, original: path)
        return copy.path
    }
}

/// Temporary copies made by `InputFiles.readablePath` (and paths such as `/dev/stdin` read for `-`),
/// and the names the user gave them.
final class InputNames {
    private var originals: [String: String] = [:]
    private var copies: [String] = []

    var count: Int { originals.count }

    func add(copy: String, original: String) {
        originals[copy] = original
        copies.append(copy)
    }

    func add(alias: String, original: String) { originals[alias] = original }

    /// Capture files as libpcap reads them: `-` is `/dev/stdin` (a pipe the readers handle); the same
    /// file named twice is read once.
    func captureFiles(_ files: [String]) -> [String] {
        InputFiles.distinct(files).map { file in
            guard file == "-" else { return file }
            add(alias: "/dev/stdin", original: "-")
            return "/dev/stdin"
        }
    }

    func original(_ path: String) -> String { originals[path] ?? path }

    /// The report with every copy's path replaced by the original name.
    func restore(_ report: Report) -> Report {
        guard !originals.isEmpty else { return report }
        var report = report
        report.updateFindings { findings in
            for i in findings.indices {
                if let file = findings[i].location?.file { findings[i].location?.file = original(file) }
            }
        }
        report.warnings = report.warnings.map(restore)
        report.inputs = report.inputs.map { input in
            var input = input
            input.path = original(input.path)
            return input
        }
        return report
    }

    func restore(_ text: String) -> String {
        originals.reduce(text) { $0.replacingOccurrences(of: $1.key, with: $1.value) }
    }

    func restore(_ error: InputError) -> InputError {
        var error = error
        error.file = error.file.map(original)
        error.reason = restore(error.reason)
        return error
    }

    deinit {
        for copy in copies { try? FileManager.default.removeItem(atPath: copy) }
    }
}
