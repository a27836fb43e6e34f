import Foundation

@testable import Capture

/// One frame as a reader handed it over, copied so readers can be compared.
struct ReadFrame: Equatable, CustomStringConvertible {
    var number: Int
    var microseconds: Int64
    var wireLength: Int
    var bytes: [UInt8]

    var description: String { "#\(number) t=\(microseconds) len=\(wireLength) caplen=\(bytes.count)" }
}

/// Every frame of `source`, and how reading ended.
func readAll(_ source: PcapSource) -> (frames: [ReadFrame], end: EndOfInput) {
    var frames: [ReadFrame] = []
    let end = source.forEachFrame { frame in
        frames.append(
            ReadFrame(
                number: frame.number, microseconds: frame.time.microseconds, wireLength: frame.wireLength,
                bytes: Array(frame.bytes)))
    }
    return (frames, end)
}

/// A capture file in the temporary folder, named `exposure-NAME.EXTENSION`, removed by the caller.
func temporaryCaptureFile(_ bytes: [UInt8], _ name: String, extension fileExtension: String) throws -> String {
    let path = NSTemporaryDirectory() + "exposure-\(getpid())-\(name).\(fileExtension)"
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return path
}
