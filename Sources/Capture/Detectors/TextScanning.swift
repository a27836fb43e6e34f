/// Small helpers for line-based protocols (FTP, SMTP, POP3, IMAP, HTTP) over borrowed bytes.
enum TextScanning {
    /// The first `maxLines` lines of a byte stream, split at LF (a trailing CR dropped). An unfinished
    /// last line is included only when asked, because it may be cut in the middle.
    static func lines(_ bytes: PacketBytes, includeUnfinished: Bool = true, maxLines: Int = 256)
        -> [Substring]
    {
        var result: [Substring] = []
        var start = 0
        while result.count < maxLines, let index = bytes.firstIndex(of: 0x0A, from: start) {
            var end = index
            if end > start && bytes[end - 1] == 0x0D { end -= 1 }
            result.append(text(bytes, start..<end))
            start = index + 1
        }
        if includeUnfinished && start < bytes.count && result.count < maxLines {
            result.append(text(bytes, start..<bytes.count))
        }
        return result
    }

    /// Printable ASCII text for a byte range; anything else becomes `?`, so a hostile stream cannot
    /// inject control characters into a report.
    static func text(_ bytes: PacketBytes, _ range: Range<Int>) -> Substring {
        Substring(printable(bytes[range]))
    }

    static func printable<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        var clean: [UInt8] = []
        clean.reserveCapacity(bytes.underestimatedCount)
        for byte in bytes { clean.append((0x20...0x7E).contains(byte) ? byte : 0x3F) }
        return String(decoding: clean, as: UTF8.self)
    }

    /// Whether the stream starts with `prefix`, ignoring ASCII case.
    /// Walks the prefix's UTF-8 in place: detectors ask this of every flow, so it must not allocate.
    static func hasPrefix(_ bytes: PacketBytes, _ prefix: StaticString, ignoringCase: Bool = true) -> Bool {
        prefix.withUTF8Buffer { wanted in
            guard bytes.count >= wanted.count else { return false }
            for index in 0..<wanted.count {
                let have = bytes[index]
                let byte = wanted[index]
                if ignoringCase ? lower(have) != lower(byte) : have != byte { return false }
            }
            return true
        }
    }

    static func lower(_ byte: UInt8) -> UInt8 { (0x41...0x5A).contains(byte) ? byte | 0x20 : byte }

    /// The first space-separated word of a line, upper-cased, and the rest after one space.
    static func command(_ line: Substring) -> (verb: String, argument: Substring) {
        guard let space = line.firstIndex(of: " ") else { return (line.uppercased(), "") }
        return (line[..<space].uppercased(), line[line.index(after: space)...])
    }

    /// Where `needle` first occurs in `haystack`, or nil.
    static func find(_ needle: [UInt8], in haystack: PacketBytes, from start: Int = 0) -> Int? {
        haystack.firstIndex(of: needle, from: start)
    }

    /// Whether `needle` (lower-case ASCII) occurs in `haystack`, ignoring ASCII case.
    static func containsIgnoringCase(_ needle: [UInt8], in haystack: PacketBytes) -> Bool {
        haystack.containsIgnoringASCIICase(needle)
    }

    /// Decodes standard base64, ignoring padding; nil on any other character.
    static func base64Decode<S: StringProtocol>(_ text: S) -> [UInt8]? {
        var output: [UInt8] = []
        var accumulator: UInt32 = 0
        var bits = 0
        for scalar in text.unicodeScalars {
            let value: UInt32
            switch scalar {
            case "A"..."Z": value = scalar.value - 65
            case "a"..."z": value = scalar.value - 97 + 26
            case "0"..."9": value = scalar.value - 48 + 52
            case "+", "-": value = 62
            case "/", "_": value = 63
            case "=": continue
            default: return nil
            }
            accumulator = accumulator << 6 | value
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        return output
    }

    /// A user name fit for a report: printable, at most 64 characters.
    static func userName<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        String(printable(bytes).prefix(64))
    }
}

extension TextScanning {
    /// The text without leading and trailing spaces and tabs.
    static func trimmed(_ text: Substring) -> Substring {
        text.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed().reduce(
            into: Substring()
        ) { $0.append($1) }
    }
}
