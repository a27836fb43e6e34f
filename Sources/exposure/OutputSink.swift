import Findings
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Where a document goes: `--output FILE` or standard output. Every write is checked, and so is the
/// file's close, so a full disk or a closed pipe ends the run with exit 2 and the reason instead of
/// a lost report and exit 0.
final class OutputSink {
    private let descriptor: Int32
    private let name: String
    private let ownsDescriptor: Bool

    /// Opens `path` for writing (created or truncated), or standard output when nil.
    init(path: String?) throws {
        guard let path else {
            descriptor = STDOUT_FILENO
            name = "standard output"
            ownsDescriptor = false
            return
        }
        name = path
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Self.error(path, "cannot write the output file", errno) }
        descriptor = fd
        ownsDescriptor = true
    }

    func write(_ text: String) throws {
        var text = text
        try text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let n = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw Self.error(ownsDescriptor ? name : nil, "cannot write the report to \(name)", errno)
                }
                offset += n
            }
        }
    }

    /// Closes the file (a no-op for standard output, whose writes are unbuffered and already checked).
    func close() throws {
        guard ownsDescriptor else { return }
        if Glibc.close(descriptor) != 0 { throw Self.error(name, "cannot finish writing the output file", errno) }
    }

    static func error(_ file: String?, _ what: String, _ code: Int32) -> InputError {
        InputError(file: file, reason: "\(what): \(String(cString: strerror(code)))")
    }
}

/// Writes to the standard streams.
enum FileHandleOutput {
    /// Standard output, checked: a failed write ends the run with exit 2.
    static func standardOutput(_ s: String) throws {
        try OutputSink(path: nil).write(s)
    }

    /// Standard error; a failure to write there has nowhere left to be reported.
    static func standardError(_ s: String) {
        var s = s
        s.withUTF8 { bytes in _ = Glibc.write(STDERR_FILENO, bytes.baseAddress, bytes.count) }
    }
}
