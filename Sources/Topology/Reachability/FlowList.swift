import Findings
import Foundation

/// One row of FLOWS.csv, with its line for error messages.
public struct FlowRequest: Sendable, Hashable {
    public var flow: Flow
    public var line: Int
    /// Whether the row gave a destination port (port-less protocols need none).
    public var hasPort: Bool
}

/// Reads FLOWS.csv: header `source,destination,protocol,port` in any order, optional `source_port`
/// (default: an ephemeral port). Blank lines and lines starting with `#` are skipped.
public enum FlowList {
    public static func load(file: String) throws -> [FlowRequest] {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw InputError(file: file, place: nil, reason: "cannot read the flows file")
        }
        return try parse(data, file: file)
    }

    public static func parse(_ data: Data, file: String) throws -> [FlowRequest] {
        guard let text = String(data: data, encoding: .utf8) else {
            throw InputError(file: file, place: nil, reason: "not UTF-8 text")
        }
        var columns: [String: Int]?
        var result: [FlowRequest] = []
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let fields = trimmed.split(separator: ",", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard let header = columns else {
                var found: [String: Int] = [:]
                for (i, name) in fields.enumerated() { found[name.lowercased()] = i }
                for required in ["source", "destination", "protocol", "port"] where found[required] == nil {
                    throw InputError(
                        file: file, place: .line(lineNumber),
                        reason: "the header must name source,destination,protocol,port (missing '\(required)')")
                }
                columns = found
                continue
            }
            func field(_ name: String) -> String? {
                guard let i = header[name], i < fields.count else { return nil }
                return fields[i]
            }
            func fail(_ reason: String) -> InputError {
                InputError(file: file, place: .line(lineNumber), reason: reason)
            }
            guard let sourceText = field("source"), let source = IPv4Address(sourceText) else {
                throw fail("source '\(field("source") ?? "")' is not an IPv4 address")
            }
            guard let destinationText = field("destination"), let destination = IPv4Address(destinationText) else {
                throw fail("destination '\(field("destination") ?? "")' is not an IPv4 address")
            }
            guard let protocolText = field("protocol"), let proto = TransportProtocol(protocolText) else {
                throw fail("protocol '\(field("protocol") ?? "")' is not tcp, udp, icmp, esp or ah")
            }
            let portText = field("port") ?? ""
            var port = 0
            if !portText.isEmpty {
                guard let p = Int(portText), (0...65535).contains(p) else {
                    throw fail("port '\(portText)' is not 0-65535")
                }
                port = p
            } else if proto.hasPorts {
                throw fail("a \(proto.rawValue) flow needs a port")
            }
            var sourcePort = Flow.defaultSourcePort
            if let sp = field("source_port"), !sp.isEmpty {
                guard let p = Int(sp), (0...65535).contains(p) else { throw fail("source_port '\(sp)' is not 0-65535") }
                sourcePort = p
            }
            result.append(
                FlowRequest(
                    flow: Flow(
                        source: source, destination: destination, protocol: proto, sourcePort: sourcePort,
                        destinationPort: port), line: lineNumber, hasPort: !portText.isEmpty))
        }
        if columns == nil {
            throw InputError(
                file: file, place: .line(1), reason: "no header line source,destination,protocol,port")
        }
        return result
    }
}
