import Findings
import Foundation

/// Steps through master-file text one entry at a time: a record, a `$` directive, or a blank or
/// comment-only line. An entry ends at a newline outside parentheses (RFC 1035 §5.1: `;` comments run
/// to the end of the line, `"…"` strings and `\` escapes hide the special characters, and `( … )` lets
/// an entry continue over newlines). Both the splitter that cuts a large file into pieces and the
/// reader that hands each record to libldns walk the text with this, so they agree on where entries
/// begin and end. Worked example (one entry per group):
///
///     $TTL 300                      ; directive
///     a IN TXT ( "x;y" ; note       ; one record over two lines: ';' inside quotes is text,
///                "z" )              ; the comment is dropped, the parentheses join the lines
///       IN A 192.0.2.1              ; a record with the previous owner (starts with a blank)
///     ; only a comment              ; blank
struct MasterFileEntry {
    enum Kind: Equatable {
        /// Only blanks and comments.
        case blank
        /// A `$ORIGIN`, `$TTL`, `$INCLUDE` or other `$` line.
        case directive
        /// A record; `namesOwner` when its first character begins an owner name rather than a blank.
        case record(namesOwner: Bool)
    }

    /// Whether the entry's parentheses pair up (RFC 1035 §5.1); libldns would read an unclosed `(` to
    /// the end of the file as one record.
    enum Parentheses: Equatable {
        case balanced
        case unclosed
        case unopened
    }

    var kind: Kind
    var parentheses: Parentheses = .balanced
    /// The entry's bytes, including its final newline when it has one.
    var range: Range<Int>
    /// How many newlines the entry holds.
    var newlines: Int

    /// The entry starting at `start`, or nil when the text ends inside it and `isEnd` is false (more text
    /// is coming): the caller reads more and asks again from the same place.
    static func next(in text: UnsafeBufferPointer<UInt8>, from start: Int, isEnd: Bool) -> MasterFileEntry? {
        let count = text.count
        guard start < count else { return nil }
        var i = start
        var depth = 0
        var inQuote = false
        var newlines = 0
        var sawContent = false
        var unopened = false
        while i < count {
            // Skip the bytes that mean nothing to the lexer in one tight loop; once the entry has shown
            // content, blanks mean nothing either.
            if sawContent {
                i = skipToSpecial(text, from: i)
            } else {
                while i < count && !isLexical(text[i]) {
                    i += 1
                    sawContent = true
                }
            }
            guard i < count else { break }
            let byte = text[i]
            i += 1
            switch byte {
            case newline:
                newlines += 1
                if depth == 0 {
                    return MasterFileEntry(
                        kind: kind(first: text[start], sawContent: sawContent),
                        parentheses: unopened ? .unopened : .balanced, range: start..<i, newlines: newlines)
                }
                // A string does not run over a line end (libldns ends it there too).
                inQuote = false
            case backslash:
                sawContent = true
                if i < count && text[i] != newline { i += 1 }
            case quote:
                sawContent = true
                inQuote.toggle()
            case semicolon where !inQuote:
                // A comment runs to the end of the line; the newline is handled above.
                while i < count && text[i] != newline { i += 1 }
            case openParenthesis where !inQuote:
                depth += 1
            case closeParenthesis where !inQuote:
                if depth == 0 { unopened = true }
                depth = max(0, depth - 1)
            case space, tab, carriageReturn:
                break
            default:
                sawContent = true
            }
        }
        guard isEnd else { return nil }
        return MasterFileEntry(
            kind: kind(first: text[start], sawContent: sawContent),
            parentheses: depth > 0 ? .unclosed : unopened ? .unopened : .balanced, range: start..<count,
            newlines: newlines)
    }

    private static func kind(first: UInt8, sawContent: Bool) -> Kind {
        guard sawContent else { return .blank }
        return first == dollar ? .directive : .record(namesOwner: namesOwner(first: first))
    }

    /// Whether a line whose first byte is `first` starts an entry that names its owner: not a blank
    /// (the previous owner goes on, RFC 1035 §5.1), a parenthesis, a comment, a line end or a `$`
    /// directive. The reader, the splitter and the plain-line shortcut all ask this.
    static func namesOwner(first: UInt8) -> Bool {
        switch first {
        case space, tab, openParenthesis, closeParenthesis, semicolon, carriageReturn, newline, dollar: false
        default: true
        }
    }

    /// Copies a record's text into `out` as libldns reads one record from a string: comments, the
    /// parentheses outside strings and line ends become spaces, and a NUL ends it. The blanks after the
    /// last field are left out: libldns reads a record that ends in a quoted string (CAA, HINFO, URI,
    /// ISDN, X25) as written, but calls a blank after that string superfluous text. `out` must hold
    /// `text.count + 1` bytes.
    static func flatten(_ text: UnsafeBufferPointer<UInt8>, into out: UnsafeMutableBufferPointer<UInt8>) {
        var i = 0
        var o = 0
        // Where the text written so far ends, without the blanks that follow the last field.
        var contentEnd = 0
        var inQuote = false
        defer { out[contentEnd] = 0 }
        while i < text.count {
            // Copy a run of ordinary bytes at once.
            var run = i
            while run < text.count && !isLexical(text[run]) { run += 1 }
            if run > i {
                UnsafeMutableRawPointer(out.baseAddress! + o).copyMemory(
                    from: text.baseAddress! + i, byteCount: run - i)
                o += run - i
                contentEnd = o
                i = run
                continue
            }
            let byte = text[i]
            i += 1
            switch byte {
            case backslash:
                out[o] = byte
                o += 1
                if i < text.count && text[i] != newline {
                    out[o] = text[i]
                    o += 1
                    i += 1
                }
                contentEnd = o
            case quote:
                inQuote.toggle()
                out[o] = byte
                o += 1
                contentEnd = o
            case semicolon where !inQuote:
                while i < text.count && text[i] != newline { i += 1 }
                out[o] = space
                o += 1
            case openParenthesis where !inQuote, closeParenthesis where !inQuote:
                out[o] = space
                o += 1
            case newline, carriageReturn:
                inQuote = false
                out[o] = space
                o += 1
            default:
                out[o] = byte
                o += 1
                if inQuote || (byte != space && byte != tab) { contentEnd = o }
            }
        }
    }

    private static let newline = UInt8(ascii: "\n")
    private static let carriageReturn = UInt8(ascii: "\r")
    private static let space = UInt8(ascii: " ")
    private static let tab = UInt8(ascii: "\t")
    private static let backslash = UInt8(ascii: "\\")
    private static let quote = UInt8(ascii: "\"")
    private static let semicolon = UInt8(ascii: ";")
    private static let openParenthesis = UInt8(ascii: "(")
    private static let closeParenthesis = UInt8(ascii: ")")
    private static let dollar = UInt8(ascii: "$")

    /// Whether the lexer must look at `byte`: line ends, blanks, `\\`, `"`, `;`, `(` and `)`. Two bit
    /// masks, as every one of them is below 128.
    @inline(__always)
    private static func isLexical(_ byte: UInt8) -> Bool {
        byte < 64 ? (lowMask >> UInt64(byte)) & 1 != 0 : byte < 128 && (highMask >> UInt64(byte - 64)) & 1 != 0
    }

    /// The first index from `start` of a line feed, `\\`, `"`, `;`, `(` or `)` (the end when none): eight
    /// bytes at a time while none of them is one (a byte equal to `c` is a zero byte of `word ^ c…c`,
    /// found with the borrow trick of Hacker's Delight §6-1), then one by one.
    @inline(__always)
    private static func skipToSpecial(_ text: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var i = start
        let count = text.count
        if let base = text.baseAddress {
            let ones: UInt64 = 0x0101_0101_0101_0101
            let highs: UInt64 = 0x8080_8080_8080_8080
            @inline(__always) func zeroByte(_ x: UInt64) -> UInt64 { (x &- ones) & ~x & highs }
            while i + 8 <= count {
                let word = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                // `(` 40 and `)` 41 differ in the last bit only.
                let hit =
                    zeroByte(word ^ (ones &* 10)) | zeroByte(word ^ (ones &* 92)) | zeroByte(word ^ (ones &* 34))
                    | zeroByte(word ^ (ones &* 59)) | zeroByte((word | ones) ^ (ones &* 41))
                if hit != 0 { break }
                i += 8
            }
        }
        while i < count {
            let b = text[i]
            if b < 64 ? (specialMask >> UInt64(b)) & 1 != 0 : b == 92 { break }
            i += 1
        }
        return i
    }

    /// Line feed 10, `"` 34, `(` 40, `)` 41, `;` 59.
    private static let specialMask: UInt64 = 1 << 10 | 1 << 34 | 1 << 40 | 1 << 41 | 1 << 59

    /// Tab 9, line feed 10, carriage return 13, space 32, `"` 34, `(` 40, `)` 41, `;` 59.
    private static let lowMask: UInt64 = 1 << 9 | 1 << 10 | 1 << 13 | 1 << 32 | 1 << 34 | 1 << 40 | 1 << 41 | 1 << 59
    /// `\\` 92.
    private static let highMask: UInt64 = 1 << (92 - 64)
}

/// Reads a byte range of a master file in blocks and hands out its entries whole, with their lines.
struct MasterFileReader {
    /// What the reader hands out for each entry.
    struct Located {
        var entry: MasterFileEntry
        /// The entry's bytes.
        var text: UnsafeBufferPointer<UInt8>
        /// Where the entry starts in the file.
        var offset: Int
        /// The 1-based lines the entry starts and ends on.
        var firstLine: Int
        var lastLine: Int
    }

    /// Bytes read at a time, and the longest entry accepted.
    static let blockSize = 1 << 20
    static let longestEntry = 64 << 20

    /// Calls `body` with each entry of `range` of the file (all of it when nil), in order, until `body`
    /// returns false. Lines are counted from `lineOffset`.
    ///
    /// With `plainLines`, a line that begins with an owner name is first offered whole (with its
    /// newline) to `plainLine`, with its line number, before the lexer looks at it: when `plainLine`
    /// takes it (returns true), the line was a record of plain fields only, with none of the bytes the
    /// lexer interprets, so it is one entry by itself and the lexer would have found just that line.
    /// When it declines, it must have changed nothing, and the line goes the general way. A signed
    /// zone is nearly all such lines, and this spares them the lexer's and the flattening's passes.
    static func forEachEntry(
        path: String, range: Range<Int>? = nil, lineOffset: Int = 0, plainLines: Bool = false,
        plainLine: (UnsafeBufferPointer<UInt8>, Int) throws(InputError) -> Bool = { _, _ in false },
        _ body: (Located) throws(InputError) -> Bool
    ) throws(InputError) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw InputError(file: path, reason: "cannot open the zone file (\(String(cString: strerror(errno))))")
        }
        defer { close(fd) }
        // A small piece of a file needs no whole block (the zone-pieces fuzz target cuts at every owner).
        var block = [UInt8](repeating: 0, count: min(blockSize, max(4096, (range?.count ?? blockSize) + 1)))
        var filled = 0
        var consumed = 0
        var blockOffset = range?.lowerBound ?? 0
        var left = range.map(\.count) ?? Int.max
        var atEnd = false
        var linesBefore = lineOffset
        while true {
            if plainLines, consumed < filled {
                // The line's end, when the block holds it and the line names its owner.
                let taken = try block.withUnsafeBufferPointer { (all) throws(InputError) -> Int? in
                    guard let base = all.baseAddress, MasterFileEntry.namesOwner(first: all[consumed]),
                        let end = memchr(base + consumed, 10, filled - consumed)
                    else { return nil }
                    let upper = base.distance(to: end.assumingMemoryBound(to: UInt8.self)) + 1
                    let line = UnsafeBufferPointer(rebasing: all[consumed..<upper])
                    return try plainLine(line, linesBefore + 1) ? upper : nil
                }
                if let taken {
                    consumed = taken
                    linesBefore += 1
                    continue
                }
            }
            let found = block.withUnsafeBufferPointer { all in
                MasterFileEntry.next(in: UnsafeBufferPointer(rebasing: all[..<filled]), from: consumed, isEnd: atEnd)
            }
            if let entry = found {
                consumed = entry.range.upperBound
                let endsWithNewline = block[entry.range.upperBound - 1] == UInt8(ascii: "\n")
                let located = Located(
                    entry: entry, text: UnsafeBufferPointer(start: nil, count: 0),
                    offset: blockOffset + entry.range.lowerBound, firstLine: linesBefore + 1,
                    lastLine: linesBefore + entry.newlines + (endsWithNewline ? 0 : 1))
                linesBefore += entry.newlines
                let goOn = try block.withUnsafeBufferPointer { (all) throws(InputError) -> Bool in
                    var withText = located
                    withText.text = UnsafeBufferPointer(rebasing: all[entry.range])
                    return try body(withText)
                }
                if goOn { continue }
                return
            }
            if atEnd { return }
            // Keep the unfinished entry at the front, make room, and read on.
            if consumed > 0 {
                block.withUnsafeMutableBufferPointer { all in
                    guard let base = all.baseAddress else { return }
                    memmove(base, base + consumed, filled - consumed)
                }
                filled -= consumed
                blockOffset += consumed
                consumed = 0
            }
            if filled == block.count {
                guard block.count < longestEntry else {
                    throw InputError(
                        file: path, place: .line(linesBefore + 1),
                        reason: "an entry longer than \(longestEntry >> 20) MiB: is this a zone file?")
                }
                block += [UInt8](repeating: 0, count: block.count)
            }
            let want = min(block.count - filled, left)
            let got = block.withUnsafeMutableBufferPointer { all in
                pread(fd, all.baseAddress! + filled, want, off_t(blockOffset + filled))
            }
            guard got >= 0 else {
                throw InputError(
                    file: path, reason: "cannot read the zone file (\(String(cString: strerror(errno))))")
            }
            filled += got
            left -= got
            if got == 0 || left == 0 { atEnd = true }
        }
    }
}
