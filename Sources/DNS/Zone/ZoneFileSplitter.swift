import Foundation

/// Finds places where a large master file can be cut so that pieces parse independently, in
/// parallel: the start of a line outside parentheses whose first character begins an owner name
/// (so no record there inherits the previous owner), with the `$ORIGIN` and `$TTL` in force there.
///
/// The scan walks the file's entries with `MasterFileEntry` (RFC 1035 §5.1 lexically: `;` comments
/// to the end of the line, `"…"` strings, `\` escapes and `( … )` continuation), as the reader of each
/// piece does. A file with `$INCLUDE` is not split. Worked example:
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
        var pieces: [Piece] = []
        var current = Piece(start: 0, end: 0, firstLine: 1, origin: nil, ttl: nil)
        var origin: String?
        var ttl: String?
        var end = 0
        var sawInclude = false
        do {
            try MasterFileReader.forEachEntry(path: path) { located in
                end = located.offset + located.text.count
                switch located.entry.kind {
                case .record(namesOwner: true) where located.offset - current.start >= pieceSize:
                    current.end = located.offset
                    pieces.append(current)
                    current = Piece(
                        start: located.offset, end: 0, firstLine: located.firstLine, origin: origin, ttl: ttl)
                case .directive:
                    switch Self.directive(located.text) {
                    case .origin(let value): origin = value
                    case .ttl(let value): ttl = value
                    case .include:
                        sawInclude = true
                        return false
                    case .other: break
                    }
                default: break
                }
                return true
            }
        } catch {
            return nil
        }
        if sawInclude { return nil }
        current.end = end
        pieces.append(current)
        return pieces
    }

    private enum Directive {
        case origin(String)
        case ttl(String)
        case include
        case other
    }

    private static func directive(_ text: UnsafeBufferPointer<UInt8>) -> Directive {
        let fields = MasterFileFields.directiveFields(text)
        guard let keyword = fields.first?.uppercased() else { return .other }
        switch keyword {
        case "$ORIGIN": return fields.count > 1 ? .origin(fields[1]) : .other
        case "$TTL": return fields.count > 1 ? .ttl(fields[1]) : .other
        case "$INCLUDE": return .include
        default: return .other
        }
    }
}
