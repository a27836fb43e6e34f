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

    /// What `quickPieces` finds in one region of the file.
    private struct Region {
        var newlines = 0
        var cut: Int?
        var newlinesBeforeCut = 0
        var directives: [(offset: Int, directive: Directive)] = []
        var unreadable = false
    }

    /// Pieces cut without the lexer's pass over the whole file, which was a serial part of every large
    /// read (0.4–0.8 s of a 164 MB zone): a cut is the first line at or after each multiple of
    /// `pieceSize` whose first byte begins an owner name, its line number is counted and the `$ORIGIN`
    /// and `$TTL` in force there are taken from the lines starting with `$`, all on every core at once.
    ///
    /// A cut found so is a guess: the line may lie inside a record's parentheses, and a `$` line may
    /// be inside them too or span lines itself. The guesses are checked by reading the pieces: piece 1
    /// starts where the file does, so it is read right; a piece read right that ends inside
    /// parentheses is refused (its last entry is unclosed), and one that ends otherwise reports the
    /// `$ORIGIN` and `$TTL` its own directives left (`ZoneFile.directivesAtEnd`), which must be what
    /// the next piece was started with. Then that piece too is read right, and so on. When a check
    /// fails, the file is read again with the lexer's cuts (`pieces(of:pieceSize:)`).
    /// Nil when the file holds `$INCLUDE`, cannot be read, or is one piece.
    static func quickPieces(of path: String, pieceSize: Int) -> [Piece]? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0, pieceSize > 0 else { return nil }
        let size = Int(status.st_size)
        let regions = size / pieceSize
        guard regions > 1 else { return nil }
        // Per region of `pieceSize` bytes: its newlines, its first owner line start (and the newlines
        // before it), and its lines starting with `$`. One worker a core, each with one buffer for its
        // regions (a buffer a region was mostly page faults), each writing only its regions' entries.
        var found = [Region](repeating: Region(), count: regions)
        let workers = min(regions, ProcessInfo.processInfo.activeProcessorCount)
        found.withUnsafeMutableBufferPointer { found in
            nonisolated(unsafe) let found = found
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: size - (regions - 1) * pieceSize + 1)
                defer { buffer.deallocate() }
                for k in stride(from: worker, to: regions, by: workers) {
                    found[k] = Self.scanRegion(k, of: regions, pieceSize: pieceSize, size: size, fd: fd, buffer: buffer)
                }
            }
        }
        var pieces: [Piece] = []
        var current = Piece(start: 0, end: 0, firstLine: 1, origin: nil, ttl: nil)
        var origin: String?
        var ttl: String?
        var linesBefore = 0
        /// Takes a directive's effect; false for `$INCLUDE`, which keeps the file whole.
        func apply(_ directive: Directive) -> Bool {
            switch directive {
            case .origin(let value): origin = value
            case .ttl(let value): ttl = value
            case .include: return false
            case .other: break
            }
            return true
        }
        for (k, region) in found.enumerated() {
            if region.unreadable { return nil }
            var directives = region.directives[...]
            if k > 0, let cut = region.cut, cut > current.start {
                // The directives of this region before the cut count for the new piece.
                while let next = directives.first, next.offset < cut {
                    directives = directives.dropFirst()
                    guard apply(next.directive) else { return nil }
                }
                current.end = cut
                pieces.append(current)
                current = Piece(
                    start: cut, end: 0, firstLine: linesBefore + region.newlinesBeforeCut + 1, origin: origin, ttl: ttl)
            }
            for next in directives {
                guard apply(next.directive) else { return nil }
            }
            linesBefore += region.newlines
        }
        current.end = size
        pieces.append(current)
        return pieces.count > 1 ? pieces : nil
    }

    /// What `quickPieces` needs of region `k`: read into `buffer` with the byte before it.
    private static func scanRegion(
        _ k: Int, of regions: Int, pieceSize: Int, size: Int, fd: Int32, buffer: UnsafeMutableBufferPointer<UInt8>
    ) -> Region {
        let start = k * pieceSize
        let end = k == regions - 1 ? size : start + pieceSize
        // One byte before the region, to know whether it starts a line.
        let from = max(0, start - 1)
        var region = Region()
        guard pread(fd, buffer.baseAddress, end - from, off_t(from)) == end - from else {
            region.unreadable = true
            return region
        }
        let text = UnsafeBufferPointer(rebasing: buffer[..<(end - from)])
        guard let base = text.baseAddress else { return region }
        func offset(_ pointer: UnsafeMutableRawPointer) -> Int {
            base.distance(to: pointer.assumingMemoryBound(to: UInt8.self))
        }
        let first = start - from
        region.newlines = countNewlines(UnsafeBufferPointer(rebasing: text[first...]))
        // Lines starting with `$` (a `$` is rare in record data).
        var scan = first
        while scan < text.count, let hit = memchr(base + scan, Int32(UInt8(ascii: "$")), text.count - scan) {
            let at = offset(hit)
            scan = at + 1
            guard at == 0 ? from == 0 : text[at - 1] == newline else { continue }
            let line = lineText(fd: fd, at: from + at, in: text, from: at)
            region.directives.append((from + at, line.withUnsafeBufferPointer { directive($0) }))
        }
        // The cut: the first line start (the file's start is one) whose first byte begins an owner name.
        var i = first
        if start > 0, text[first - 1] != newline {
            guard let next = memchr(base + first, Int32(newline), text.count - first) else { return region }
            i = offset(next) + 1
        }
        while i < text.count {
            if MasterFileEntry.namesOwner(first: text[i]) {
                region.cut = from + i
                region.newlinesBeforeCut = countNewlines(UnsafeBufferPointer(rebasing: text[first..<i]))
                break
            }
            guard let next = memchr(base + i, Int32(newline), text.count - i) else { break }
            i = offset(next) + 1
        }
        return region
    }

    private static let newline = UInt8(ascii: "\n")

    /// The line starting at `at` of `text` (which starts at file offset `offset - at`), without its
    /// newline; read on from the file when it runs past `text`.
    private static func lineText(fd: Int32, at offset: Int, in text: UnsafeBufferPointer<UInt8>, from at: Int)
        -> [UInt8]
    {
        if let end = memchr(text.baseAddress! + at, Int32(newline), text.count - at) {
            let upper = text.baseAddress!.distance(to: end.assumingMemoryBound(to: UInt8.self))
            return Array(text[at..<upper])
        }
        var line = Array(text[at...])
        var chunk = [UInt8](repeating: 0, count: 4096)
        var position = offset + line.count
        // A directive line is short; past 64 KiB it is no directive this reading needs whole.
        while line.count < 1 << 16 {
            let got = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(position)) }
            guard got > 0 else { break }
            if let cut = chunk[..<got].firstIndex(of: newline) {
                line += chunk[..<cut]
                break
            }
            line += chunk[..<got]
            position += got
        }
        return line
    }

    /// The number of newline bytes, eight at a time: a byte of `x ^ 0x0a…` is zero exactly where a
    /// newline is, and `((y & 0x7f…) + 0x7f…) | y` has its high bit clear exactly in the zero bytes of y.
    static func countNewlines(_ text: UnsafeBufferPointer<UInt8>) -> Int {
        guard let base = text.baseAddress else { return 0 }
        var count = 0
        var i = 0
        let lows: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        let pattern: UInt64 = 0x0A0A_0A0A_0A0A_0A0A
        while i + 8 <= text.count {
            let y = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self) ^ pattern
            let t = ((y & lows) &+ lows) | y
            count += (~t & ~lows).nonzeroBitCount
            i += 8
        }
        while i < text.count {
            if text[i] == newline { count += 1 }
            i += 1
        }
        return count
    }

    enum Directive {
        case origin(String)
        case ttl(String)
        case include
        case other
    }

    static func directive(_ text: UnsafeBufferPointer<UInt8>) -> Directive {
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
