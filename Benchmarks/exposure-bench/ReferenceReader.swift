import Foundation

/// The C reference reader of the capture benchmark, `Benchmarks/capture-reference/flow-reader.c`:
/// libpcap with a 1 MiB stdio buffer, header parsing, an open-addressing flow table and first-payload
/// classification, and nothing else. Compiled with `cc -O2` into the data folder.
enum ReferenceReader {
    /// The C source, found beside this benchmark's folder in the source tree.
    static let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("capture-reference/flow-reader.c").path

    /// Compiles the reader and returns the path of the binary.
    static func compile(folder: String) throws -> String {
        let binary = folder + "/flow-reader"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/cc")
        process.arguments = ["-O2", "-o", binary, source, "-lpcap"]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CaptureBenchError("cc could not compile \(source)") }
        return binary
    }
}
