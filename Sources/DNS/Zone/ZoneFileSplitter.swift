import Foundation

/// Finds places where a large master file can be cut so that pieces parse independently, in
/// parallel: the start of a line outside parentheses whose first character begins an owner name
/// (so no record there inherits the previous owner), with the `$ORIGIN` and `$TTL` in force there.
///
/// The scan follows RFC 1035 §5.1 lexically: `;` comments to the end of the line, `"…"` strings,
/// `\` escapes and `( … )` continuation. A file with `$INCLUDE` is not split. Worked example:
///
///     $ORIGIN example.com.          ; state: origin example.com.
///     a  IN TXT ( "x;y"             ; ';' inside quotes is text; '(' opens a continuation
///              "z" )                ; a cut here would split a record: not a piece start
///     b  IN A 192.0.2.1             ; owner at column 0, outside parentheses: a piece may start here
///        IN A 192.0.2.2             ; blank owner inherits b: not a piece start
struct ZoneFileSplitter {
    struct Piece: Sendable, Equatable {
        /// Byte offsets of the piece in the file.
        var start: Int
        var end: Int
        /// The 1-based line the piece starts on.
        var firstLine: Int
        /// The argument of the last `$ORIGIN` before the piece, as written, if any.
        var origin: String?
        /// The argument of the last `$TTL` before the piece, as written, if any.
        var ttl: String?
    }

    /// Pieces of about `pieceSize` bytes covering the whole file, or nil when the file must be read
    /// in one go (it holds `$INCLUDE`, or cannot be read).
    static func pieces(of path: String, pieceSize: Int) -> [Piece]? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        var pieces: [Piece] = []
        var pieceStart = 0
        var pieceLine = 1
        var pieceOrigin: String?
        var pieceTTL: String?

        var origin: String?
        var ttl: String?
        var offset = 0
        var line = 1
        var depth = 0
        var inQuote = false
        var inComment = false
        var escaped = false
        var atLineStart = true
        var directive: [UInt8]? = nil  // the text of a `$` line being collected

        while true {
            let block: Data
            do {
                guard let read = try handle.read(upToCount: 1 << 20), !read.isEmpty else { break }
                block = read
            } catch {
                return nil
            }
            var sawInclude = false
            block.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
                for byte in raw {
                    defer { offset += 1 }
                    if atLineStart {
                        atLineStart = false
                        if depth == 0, byte == UInt8(ascii: "$") { directive = [] }
                        if depth == 0, offset - pieceStart >= pieceSize, Self.beginsOwner(byte), directive == nil {
                            pieces.append(
                                Piece(
                                    start: pieceStart, end: offset, firstLine: pieceLine, origin: pieceOrigin,
                                    ttl: pieceTTL
                                ))
                            pieceStart = offset
                            pieceLine = line
                            pieceOrigin = origin
                            pieceTTL = ttl
                        }
                    }
                    if byte == UInt8(ascii: "\n") {
                        if let text = directive {
                            switch Self.directive(text) {
                            case .origin(let value): origin = value
                            case .ttl(let value): ttl = value
                            case .include:
                                sawInclude = true
                                return
                            case .other: break
                            }
                            directive = nil
                        }
                        line += 1
                        inComment = false
                        escaped = false
                        atLineStart = true
                        if inQuote && depth == 0 { inQuote = false }
                        continue
                    }
                    if directive != nil, !inComment { directive?.append(byte) }
                    if inComment { continue }
                    if escaped {
                        escaped = false
                        continue
                    }
                    switch byte {
                    case UInt8(ascii: "\\"): escaped = true
                    case UInt8(ascii: "\""): inQuote.toggle()
                    case UInt8(ascii: ";") where !inQuote: inComment = true
                    case UInt8(ascii: "(") where !inQuote: depth += 1
                    case UInt8(ascii: ")") where !inQuote: depth = max(0, depth - 1)
                    default: break
                    }
                }
            }
            if sawInclude { return nil }
        }
        if let text = directive, case .include = Self.directive(text) { return nil }
        pieces.append(Piece(start: pieceStart, end: offset, firstLine: pieceLine, origin: pieceOrigin, ttl: pieceTTL))
        return pieces
    }

    /// Whether a line starting with `byte` names its owner: not blank, not a comment, not a directive.
    private static func beginsOwner(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: ";"),
            UInt8(ascii: "$"), UInt8(ascii: "("), UInt8(ascii: ")"):
            false
        default: true
        }
    }

    private enum Directive {
        case origin(String)
        case ttl(String)
        case include
        case other
    }

    private static func directive(_ text: [UInt8]) -> Directive {
        let line = String(decoding: text, as: UTF8.self)
        let withoutComment = line.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let fields = withoutComment.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
        guard let keyword = fields.first?.uppercased() else { return .other }
        switch keyword {
        case "$ORIGIN": return fields.count > 1 ? .origin(String(fields[1])) : .other
        case "$TTL": return fields.count > 1 ? .ttl(String(fields[1])) : .other
        case "$INCLUDE": return .include
        default: return .other
        }
    }
}
