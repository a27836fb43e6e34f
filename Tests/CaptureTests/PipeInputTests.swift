import Foundation
import Testing

@testable import Capture

/// A capture read from a pipe, as `dumpcap -w - | exposure capture audit /dev/stdin` reads it: a pipe
/// can be read only once, so the format must be told without taking its first bytes.
@Suite("Captures read from a pipe")
struct PipeInputTests {
    @Test(
        "pcapng and classic pcap through a FIFO give the same findings as the file",
        arguments: ["pcapng-format-telnet.pcapng", "telnet-on-port-2323.pcap"])
    func throughFIFO(_ sample: String) throws {
        let file = packageRoot + "/Captures/" + sample
        let fifo = NSTemporaryDirectory() + "exposure-fifo-\(getpid())-\(UUID().uuidString)"
        #expect(mkfifo(fifo, 0o600) == 0)
        defer { unlink(fifo) }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        // The writer opens the FIFO (waiting for the reader), writes the capture in two parts and closes it.
        let writer = Thread {
            guard let handle = FileHandle(forWritingAtPath: fifo) else { return }
            handle.write(bytes.prefix(2))
            usleep(20_000)
            handle.write(bytes.dropFirst(2))
            handle.closeFile()
        }
        writer.start()
        let fromPipe = try CaptureAnalyzer.analyze(files: [fifo], filter: nil)
        let fromFile = try CaptureAnalyzer.analyze(files: [file], filter: nil)
        #expect(fromPipe.findings.count == 1)
        #expect(fromPipe.findings.map(\.subject) == fromFile.findings.map(\.subject))
        #expect(fromPipe.findings.map(\.evidence["packets"]) == fromFile.findings.map(\.evidence["packets"]))
    }
}
