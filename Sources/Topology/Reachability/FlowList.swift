import Findings
import Foundation

/// One row of FLOWS.csv, with its line for error messages.
public struct FlowRequest: Sendable, Hashable {
    public var flow: Flow
    public var line: Int
    /// Whether the row gave a destination port (port-less protocols need none).
    public var hasPort: Bool
}

/// Reads FLOWS.csv (RFC 4180: CRLF or LF line ends, quoted fields): header
/// `source,destination,protocol,port` in any order, optional `source_port` (default: an ephemeral
/// port). Blank lines and lines starting with `#` are skipped.
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
        // Spreadsheets save UTF-8 CSV with a byte order mark.
        let body = text.hasPrefix("\u{FEFF}") ? String(text.unicodeScalars.dropFirst()) : text
        for record in try CSVRecords.parse(body, file: file) {
            let lineNumber = record.line
            let fields = record.fields
            if fields.count == 1 && !record.quoted {
                let only = fields[0]
                if only.isEmpty || only.hasPrefix("#") { continue }
            } else if !record.quoted, fields.first?.hasPrefix("#") == true {
                continue
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

/// RFC 4180 records: fields separated by commas, records by CRLF or LF; a field in double quotes
/// may hold commas, line breaks and doubled quotes (`""`). Unquoted fields are trimmed of spaces.
/// Each record carries the line it starts on, for error messages.
enum CSVRecords {
    struct Record {
        var fields: [String]
        var line: Int
        /// Whether any field was quoted (a quoted `#…` or empty field is data, not a comment).
        var quoted: Bool
    }

    static func parse(_ text: String, file: String) throws -> [Record] {
        var records: [Record] = []
        var fields: [String] = []
        var field = ""
        var quotedField = false
        var anyQuoted = false
        var line = 1
        var recordLine = 1
        var scalars = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = scalars.next()
        func endField() {
            fields.append(quotedField ? field : field.trimmingCharacters(in: .whitespaces))
            field = ""
            quotedField = false
        }
        func endRecord() {
            endField()
            records.append(Record(fields: fields, line: recordLine, quoted: anyQuoted))
            fields = []
            anyQuoted = false
        }
        while let c = pending {
            pending = scalars.next()
            switch c {
            case "\"" where field.trimmingCharacters(in: .whitespaces).isEmpty && !quotedField:
                // A quoted field: up to the closing quote, `""` standing for one quote.
                field = ""
                quotedField = true
                anyQuoted = true
                let opened = line
                var closed = false
                while let q = pending {
                    pending = scalars.next()
                    if q == "\"" {
                        if pending == "\"" {
                            field.unicodeScalars.append("\"")
                            pending = scalars.next()
                            continue
                        }
                        closed = true
                        break
                    }
                    if q == "\n" { line += 1 }
                    field.unicodeScalars.append(q)
                }
                guard closed else {
                    throw InputError(
                        file: file, place: .line(opened), reason: "a quoted field is not closed (a \" is missing)")
                }
                // Only spaces may stand between the closing quote and the next comma or line end.
                while let after = pending, after == " " || after == "\t" { pending = scalars.next() }
                if let after = pending, after != ",", after != "\n", after != "\r" {
                    throw InputError(
                        file: file, place: .line(line),
                        reason: "text follows a closing quote; write a quote inside a quoted field as \"\"")
                }
            case ",":
                endField()
            case "\r" where pending == "\n":
                break
            case "\n", "\r":
                endRecord()
                line += 1
                recordLine = line
            default:
                if quotedField {
                    throw InputError(
                        file: file, place: .line(line),
                        reason: "text follows a closing quote; write a quote inside a quoted field as \"\"")
                }
                field.unicodeScalars.append(c)
            }
        }
        if !field.isEmpty || !fields.isEmpty || quotedField { endRecord() }
        return records
    }
}
