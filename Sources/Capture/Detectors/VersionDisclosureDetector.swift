/// Software versions servers announce in cleartext: HTTP `Server`, `X-Powered-By`,
/// `X-AspNet-Version` and `X-AspNetMvc-Version` headers, SSH identification strings with a patch
/// level (a digit) in their comments (RFC 4253 §4.2: `SSH-2.0-OpenSSH_8.2p1 Ubuntu-4ubuntu0.5`; the software
/// version itself every SSH server must send, the distribution's patch level it need not:
/// `DebianBanner no`), and FTP, SMTP, POP3 and IMAP greetings that
/// name a product with its version (`220 (vsFTPd 3.0.3)`, `220 mx ESMTP Exim 4.96`). `banner` is the
/// version string only, never the rest of the line. A banner without a version (`ESMTP Postfix`,
/// `Dovecot ready.`) is not a disclosure.
public struct VersionDisclosureDetector: StreamDetector {
    static func disclosure(_ name: String, title: String) -> LegacyProtocol {
        LegacyProtocol(
            name: name, check: CaptureCatalogue.versionDisclosed, title: title,
            risk: "it names its software and version in cleartext, telling attackers which flaws to try",
            remediation: CaptureCatalogue.versionDisclosed.remediation, severity: .low)
    }

    public static let http = disclosure("http", title: "An HTTP server's version banner")
    public static let ssh = disclosure("ssh", title: "An SSH server's version banner")
    public static let ftp = disclosure("ftp", title: "An FTP server's version banner")
    public static let smtp = disclosure("smtp", title: "An SMTP server's version banner")
    public static let pop3 = disclosure("pop3", title: "A POP3 server's version banner")
    public static let imap = disclosure("imap", title: "An IMAP server's version banner")

    public init() {}

    /// Greetings and response heads come in the server's first bytes, which are kept; what follows
    /// (a download, an encrypted stream) is not needed.
    public var needsServerBytes: Bool { false }

    public func mightMatch(_ sample: StreamSample) -> Bool {
        let server = sample.server
        return TextScanning.hasPrefix(server, "HTTP/1.", ignoringCase: false)
            || TextScanning.hasPrefix(server, "SSH-", ignoringCase: false)
            || TextScanning.hasPrefix(server, "220") || TextScanning.hasPrefix(server, "+OK", ignoringCase: false)
            || TextScanning.hasPrefix(server, "* OK", ignoringCase: false)
    }

    public func examine(_ sample: StreamSample) -> [Observation] {
        let server = sample.server
        if TextScanning.hasPrefix(server, "HTTP/1.", ignoringCase: false) {
            return HTTPResponseHead(server).versionHeaderValues.compactMap { value in
                guard Self.hasVersion(value) else { return nil }
                return Observation(Self.http, detail: ["banner": String(TextScanning.trimmed(value))])
            }
        }
        guard let greeting = TextScanning.lines(server, includeUnfinished: false, maxLines: 1).first else { return [] }
        if greeting.hasPrefix("SSH-") {
            // SSH-protoversion-softwareversion SP comments: reported when the comments hold a patch level.
            let afterProtocol = greeting.dropFirst(4).drop { $0 != "-" }.dropFirst()
            // A comment holding a digit is a distribution's patch level (`Ubuntu-4ubuntu0.5`,
            // `Debian-1ubuntu3`, `Raspbian-10+deb9u7`); a word alone (`SSH-2.0-OpenSSH_9.6 Debian`) is not.
            guard let space = afterProtocol.firstIndex(of: " "), afterProtocol[space...].contains(where: \.isNumber)
            else {
                return []
            }
            return [Observation(Self.ssh, detail: ["banner": String(afterProtocol)])]
        }
        guard let banner = Self.productVersion(greeting) else { return [] }
        let kind: LegacyProtocol
        if greeting.hasPrefix("+OK") {
            kind = Self.pop3
        } else if greeting.hasPrefix("* OK") {
            kind = Self.imap
        } else {
            let client = TextScanning.lines(sample.client, maxLines: 1).first.map { TextScanning.command($0).verb }
            let mail = ["EHLO", "HELO", "LHLO"].contains(client ?? "") || [25, 465, 587].contains(sample.serverPort)
            let upper = greeting.uppercased()
            kind = mail || (upper.contains("SMTP") && !upper.contains("FTP")) ? Self.smtp : Self.ftp
        }
        return [Observation(kind, detail: ["banner": banner])]
    }

    /// Whether text holds a version number: a digit, a dot and a digit.
    static func hasVersion<S: StringProtocol>(_ text: S) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count >= 3 else { return false }
        for index in 0..<(bytes.count - 2)
        where isDigit(bytes[index]) && bytes[index + 1] == 0x2E && isDigit(bytes[index + 2]) {
            return true
        }
        return false
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) }

    /// Words that name a protocol or a role, not a product: `FileZilla Server 1.9.1` and
    /// `Cyrus POP3 v2.3.16` name their product one word further back (Zeek's FTP and POP3 traces).
    static let genericWords: Set<String> = [
        "server", "pop3", "imap", "imap4", "imap4rev1", "smtp", "esmtp", "ftp", "ftpd",
    ]

    /// `Product version` or `Product/version` from a greeting: the first word holding a version
    /// number (not an IPv4 address), with the product name before it when the version stands alone
    /// (and the word before that when the one before is a protocol or role, `FileZilla Server 1.9.1`).
    static func productVersion(_ line: Substring) -> String? {
        // A reply code (`220 ` or the `220-` of a multi-line greeting) is not part of the first word.
        let codeLength = line.prefix(3).allSatisfy(\.isNumber) && line.dropFirst(3).first == "-" ? 4 : 0
        let words = line.dropFirst(codeLength).split {
            $0 == " " || $0 == "(" || $0 == ")" || $0 == "[" || $0 == "]" || $0 == ","
        }
        for (index, word) in words.enumerated() where hasVersion(word) {
            if word.split(separator: ".").count == 4 && word.allSatisfy({ $0.isNumber || $0 == "." }) { continue }
            var trimmed = word
            while let last = trimmed.last, ".;:".contains(last) { trimmed = trimmed.dropLast() }
            if let first = trimmed.first, first.isNumber || first == "v", index > 0 {
                let product = words[index - 1]
                if index > 1, genericWords.contains(product.lowercased()), words[index - 2].contains(where: \.isLetter),
                    !words[index - 2].contains(".")
                {
                    return String(words[index - 2] + " " + product + " " + trimmed)
                }
                return String(product + " " + trimmed)
            }
            return String(trimmed)
        }
        return nil
    }
}

/// The head of the first HTTP response in a stream, read in place: each header line's name and value
/// as byte ranges of the stream, names compared lower-cased, values made text (printable ASCII, as
/// `TextScanning.text` makes it) only when asked for. Only the bytes up to the empty line that ends
/// the head are read (a download's body is not scanned); a head not complete in what was kept is read
/// as far as its last whole line; at most 100 lines, the status line included.
struct HTTPResponseHead {
    private let stream: PacketBytes
    /// Each header's name and value (after the colon, as sent), in order.
    private(set) var fields: [(name: Range<Int>, value: Range<Int>)] = []

    init(_ stream: PacketBytes) {
        self.stream = stream
        let end = TextScanning.find([0x0D, 0x0A, 0x0D, 0x0A], in: stream).map { $0 + 2 } ?? stream.count
        var start = 0
        var lines = 0
        var index = 0
        while index < end && lines < 100 {
            if stream[index] == 0x0A {
                var lineEnd = index
                if lineEnd > start && stream[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                if lines > 0 {
                    if lineEnd == start { break }
                    var colon = start
                    while colon < lineEnd && stream[colon] != 0x3A { colon += 1 }
                    if colon < lineEnd { fields.append((start..<colon, colon + 1..<lineEnd)) }
                }
                lines += 1
                start = index + 1
            }
            index += 1
        }
    }

    /// A byte as the text of a header shows it lower-cased: printable ASCII, anything else `?`.
    @inline(__always)
    private static func shown(_ byte: UInt8) -> UInt8 {
        (0x20...0x7E).contains(byte) ? TextScanning.lower(byte) : 0x3F
    }

    /// Whether the bytes in `range`, lower-cased, are `name` (lower-case ASCII).
    private func isNamed(_ range: Range<Int>, _ name: StaticString) -> Bool {
        guard range.count == name.utf8CodeUnitCount else { return false }
        let wanted = UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)
        for offset in 0..<range.count where Self.shown(stream[range.lowerBound + offset]) != wanted[offset] {
            return false
        }
        return true
    }

    /// The value range of the first header named `name`.
    func valueRange(_ name: StaticString) -> Range<Int>? { fields.first { isNamed($0.name, name) }?.value }

    /// The value of the first header named `name`, as text.
    func value(_ name: StaticString) -> Substring? { valueRange(name).map(text) }

    func text(_ range: Range<Int>) -> Substring { TextScanning.text(stream, range) }

    /// Whether the value in `range`, lower-cased, contains `needle` (lower-case ASCII).
    func contains(_ range: Range<Int>, _ needle: StaticString) -> Bool {
        let count = needle.utf8CodeUnitCount
        guard range.count >= count else { return false }
        let wanted = UnsafeBufferPointer(start: needle.utf8Start, count: count)
        var start = range.lowerBound
        while start + count <= range.upperBound {
            var offset = 0
            while offset < count && Self.shown(stream[start + offset]) == wanted[offset] { offset += 1 }
            if offset == count { return true }
            start += 1
        }
        return false
    }

    /// The version headers (`Server`, `X-Powered-By`, `X-AspNet-Version`, `X-AspNetMvc-Version`), in
    /// the order sent, as text.
    var versionHeaderValues: [Substring] {
        fields.compactMap { field in
            isNamed(field.name, "server") || isNamed(field.name, "x-powered-by")
                || isNamed(field.name, "x-aspnet-version") || isNamed(field.name, "x-aspnetmvc-version")
                ? text(field.value) : nil
        }
    }
}
