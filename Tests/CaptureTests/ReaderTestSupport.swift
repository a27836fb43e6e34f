import Foundation
import SeededRandom

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

/// How much longer than usual a wall-clock bound may take: `make test-tsan` sets
/// `EXPOSURE_TEST_TIME_SCALE` (ThreadSanitizer runs the code five to fifteen times slower), otherwise 1.
let testTimeScale = Double(ProcessInfo.processInfo.environment["EXPOSURE_TEST_TIME_SCALE"] ?? "") ?? 1

/// A capture file in the temporary folder, named `exposure-NAME.EXTENSION`, removed by the caller.
func temporaryCaptureFile(_ bytes: [UInt8], _ name: String, extension fileExtension: String) throws -> String {
    let path = NSTemporaryDirectory() + "exposure-\(getpid())-\(name).\(fileExtension)"
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return path
}

/// `bytes` damaged somewhere after `start`, in the way `round` picks: single bytes overwritten (more
/// in later rounds), a run of random bytes, a slice cut out as when a write was lost, or garbage
/// inserted.
func damaged(_ original: [UInt8], after start: Int, round: Int, _ random: inout SeededGenerator) -> [UInt8] {
    var bytes = original
    switch round % 4 {
    case 0:
        for _ in 0..<(1 + round) { bytes[start + random.below(bytes.count - start)] = UInt8(random.below(256)) }
    case 1:
        let at = start + random.below(bytes.count - start)
        for index in at..<min(bytes.count, at + random.below(200)) { bytes[index] = UInt8(random.below(256)) }
    case 2:
        let at = start + random.below(bytes.count - start)
        bytes.removeSubrange(at..<min(bytes.count, at + 1 + random.below(100)))
    default:
        let at = start + random.below(bytes.count - start)
        bytes.insert(contentsOf: (0..<random.below(300)).map { _ in UInt8(random.below(256)) }, at: at)
    }
    return bytes
}

/// Reads a damaged capture with the walker and runs the whole analysis on it; returns the frames read
/// and how long both took.
func readDamagedCapture(_ bytes: [UInt8], _ name: String, extension fileExtension: String) throws -> (
    frames: Int, took: Duration
) {
    let path = try temporaryCaptureFile(bytes, name, extension: fileExtension)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let clock = ContinuousClock()
    let start = clock.now
    let read = readAll(try PcapSource.open(file: path, filter: nil))
    _ = try CaptureAnalyzer.analyze(files: [path], filter: nil)
    return (read.frames.count, clock.now - start)
}
