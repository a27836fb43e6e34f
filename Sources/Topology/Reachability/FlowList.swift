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
        // Most files hold no quote at all: those are read line by line straight from the bytes (the
        // same records RFC 4180 gives them); a file with quoted fields goes through the full reader.
        if data.contains(UInt8(ascii: "\"")) { return try parseQuoted(data, file: file) }
        return try parsePlain(data, file: file)
    }

    /// Quote-free CSV, LF or CRLF line ends, an optional byte order mark.
    static func parsePlain(_ data: Data, file: String) throws -> [FlowRequest] {
        guard String(data: data, encoding: .utf8) != nil else {
            throw InputError(file: file, place: nil, reason: "not UTF-8 text")
        }
        // One copy of the bytes (`[UInt8](data)` walks a `Data` byte by byte).
        let bytes = data.withUnsafeBytes { [UInt8]($0) }
        var columns: Columns?
        var result: [FlowRequest] = []
        var lineNumber = 0
        // Spreadsheets save UTF-8 CSV with a byte order mark.
        var lineStart = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        while lineStart <= bytes.count {
            var lineEnd = lineStart
            while lineEnd < bytes.count && bytes[lineEnd] != 0x0A { lineEnd += 1 }
            lineNumber += 1
            defer { lineStart = lineEnd + 1 }
            var lo = lineStart
            var hi = lineEnd
            while lo < hi && (bytes[lo] == 0x20 || bytes[lo] == 0x09) { lo += 1 }
            while hi > lo && (bytes[hi - 1] == 0x20 || bytes[hi - 1] == 0x09 || bytes[hi - 1] == 0x0D) { hi -= 1 }
            if lo == hi || bytes[lo] == UInt8(ascii: "#") { continue }
            if let header = columns {
                // Plain rows are read straight from the bytes; anything unusual (and every error)
                // goes through the line-by-line reader, which names the problem.
                if let request = fastRow(bytes, lo, hi, header, lineNumber) {
                    result.append(request)
                } else {
                    result.append(
                        try row(String(decoding: bytes[lineStart..<lineEnd], as: UTF8.self), header, lineNumber, file))
                }
            } else {
                columns = try Columns(
                    header: String(decoding: bytes[lo..<hi], as: UTF8.self), line: lineNumber, file: file)
            }
        }
        if columns == nil {
            throw InputError(
                file: file, place: .line(1), reason: "no header line source,destination,protocol,port")
        }
        return result
    }

    /// Where each named column is.
    struct Columns {
        var byName: [String: Int] = [:]
        var source = 0
        var destination = 0
        var proto = 0
        var port = 0
        var sourcePort: Int?

        init(header text: String, line: Int, file: String) throws {
            let fields = text.split(separator: ",", omittingEmptySubsequences: false).map {
                $0.trimmingSpaces()
            }
            for (i, name) in fields.enumerated() { byName[name.lowercased()] = i }
            for required in ["source", "destination", "protocol", "port"] where byName[required] == nil {
                throw InputError(
                    file: file, place: .line(line),
                    reason: "the header must name source,destination,protocol,port (missing '\(required)')")
            }
            source = byName["source"] ?? 0
            destination = byName["destination"] ?? 0
            proto = byName["protocol"] ?? 0
            port = byName["port"] ?? 0
            sourcePort = byName["source_port"]
        }
    }

    /// A row of plain ASCII fields, or nil to let `row` read (or refuse) it.
    static func fastRow(_ bytes: [UInt8], _ lo: Int, _ hi: Int, _ header: Columns, _ line: Int) -> FlowRequest? {
        var fields: [(Int, Int)] = []
        fields.reserveCapacity(6)
        var start = lo
        for i in lo...hi where i == hi || bytes[i] == UInt8(ascii: ",") {
            var a = start
            var b = i
            while a < b && (bytes[a] == 0x20 || bytes[a] == 0x09) { a += 1 }
            while b > a && (bytes[b - 1] == 0x20 || bytes[b - 1] == 0x09) { b -= 1 }
            fields.append((a, b))
            start = i + 1
        }
        func field(_ i: Int) -> (Int, Int)? { i < fields.count ? fields[i] : nil }
        func address(_ range: (Int, Int)?) -> NetworkAddress? {
            guard let (a, b) = range, a < b else { return nil }
            var value: UInt32 = 0
            var part: UInt32 = 0
            var digits = 0
            var dots = 0
            for i in a..<b {
                let c = bytes[i]
                if c == UInt8(ascii: ".") {
                    guard digits > 0, dots < 3 else { return nil }
                    value = value << 8 | part
                    part = 0
                    digits = 0
                    dots += 1
                } else if c >= 0x30 && c <= 0x39 {
                    part = part * 10 + UInt32(c - 0x30)
                    digits += 1
                    guard digits <= 3, part <= 255 else { return nil }
                } else {
                    return nil
                }
            }
            guard digits > 0, dots == 3 else { return nil }
            return NetworkAddress(ipv4: value << 8 | part)
        }
        func number(_ range: (Int, Int)?) -> Int? {
            guard let (a, b) = range, a < b, b - a <= 5 else { return nil }
            var n = 0
            for i in a..<b {
                guard bytes[i] >= 0x30 && bytes[i] <= 0x39 else { return nil }
                n = n * 10 + Int(bytes[i] - 0x30)
            }
            return n <= 65535 ? n : nil
        }
        guard let source = address(field(header.source)), let destination = address(field(header.destination)),
            let (pa, pb) = field(header.proto), pb - pa == 3 || pb - pa == 4
        else { return nil }
        let proto: TransportProtocol
        switch (bytes[pa] | 0x20, bytes[pa + 1] | 0x20, bytes[pa + 2] | 0x20, pb - pa == 4 ? bytes[pa + 3] | 0x20 : 0) {
        case (0x74, 0x63, 0x70, 0): proto = .tcp  // tcp
        case (0x75, 0x64, 0x70, 0): proto = .udp  // udp
        case (0x69, 0x63, 0x6D, 0x70): proto = .icmp  // icmp
        default: return nil
        }
        guard let port = number(field(header.port)) else { return nil }
        var sourcePort = Flow.defaultSourcePort
        if let column = header.sourcePort, let range = field(column), range.0 < range.1 {
            guard let p = number(range) else { return nil }
            sourcePort = p
        }
        return FlowRequest(
            flow: Flow(
                source: source, destination: destination, protocol: proto, sourcePort: sourcePort,
                destinationPort: port), line: line, hasPort: true)
    }

    /// One data row, read field by field with a message for each problem.
    static func row(_ rawLine: String, _ header: Columns, _ lineNumber: Int, _ file: String) throws -> FlowRequest {
        let line = rawLine.hasSuffix("\r") ? String(rawLine.dropLast()) : rawLine
        let trimmed = line.trimmingSpaces()
        let fields = trimmed.split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmingSpaces()
        }
        return try request(fields, columns: header.byName, lineNumber, file)
    }

    /// One data row from its fields (`columns`: header name to field index), with a message for each
    /// problem.
    static func request(_ fields: [String], columns: [String: Int], _ lineNumber: Int, _ file: String) throws
        -> FlowRequest
    {
        func field(_ name: String) -> String? {
            guard let i = columns[name], i < fields.count else { return nil }
            return fields[i]
        }
        func fail(_ reason: String) -> InputError {
            InputError(file: file, place: .line(lineNumber), reason: reason)
        }
        guard let sourceText = field("source"), let source = NetworkAddress(sourceText) else {
            throw fail("source " + NetworkAddress.refusal(field("source") ?? ""))
        }
        guard let destinationText = field("destination"), let destination = NetworkAddress(destinationText) else {
            throw fail("destination " + NetworkAddress.refusal(field("destination") ?? ""))
        }
        guard source.isIPv4 == destination.isIPv4 else {
            throw fail(
                "source \(source) and destination \(destination) are of different IP families; Azure translates no flow between IPv4 and IPv6"
            )
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
        return FlowRequest(
            flow: Flow(
                source: source, destination: destination, protocol: proto, sourcePort: sourcePort,
                destinationPort: port), line: lineNumber, hasPort: !portText.isEmpty)
    }

    /// The RFC 4180 reader: quoted fields (with commas, quotes and line breaks inside).
    static func parseQuoted(_ data: Data, file: String) throws -> [FlowRequest] {
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
            result.append(try request(fields, columns: header, lineNumber, file))
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
            fields.append(quotedField ? field : field.trimmingSpaces())
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
            case "\"" where field.trimmingSpaces().isEmpty && !quotedField:
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
