import Foundation

/// The fields of a master-file entry that libldns reads differently from BIND, put right before the
/// entry reaches libldns, and `$GENERATE`, which libldns does not know.
///
/// - TTLs (RFC 1035 §5.1, RFC 2181 §8): libldns wraps a TTL that does not fit 32 bits
///   (`99999999999999999999` becomes 1661992959). Here such a TTL is an error, as it is to
///   `named-checkzone` ("bad ttl"); one above 2^31 − 1 is read as 0 with a warning, as BIND does.
/// - Class before TTL (`www IN 300 A 192.0.2.1`, allowed by RFC 1035 §5.1): libldns reads only TTL
///   then class, so the two fields are swapped in place.
/// - Directives are case-insensitive to BIND (`$ttl`, `$origin`, `$include`); libldns knows them only
///   in capitals.
/// - An owner that starts with `@` but is longer (`@x`): libldns reads it as the origin, BIND as the
///   name `\@x`; the `@` is escaped.
///
/// Worked examples (flattened record text → what libldns gets):
///
///     www IN 300 A 192.0.2.1        → www 300 IN A 192.0.2.1
///     www 2147483648 A 192.0.2.1    → www 0          A 192.0.2.1   (warning)
///     www 4294967296 A 192.0.2.1    → error: the TTL does not fit 32 bits
enum MasterFileFields {
    /// What a TTL field means.
    enum TTL: Equatable {
        case value(UInt32)
        /// Above 2^31 − 1 but within 32 bits: read as 0 (RFC 2181 §8).
        case aboveMaximum(UInt64)
        /// A number that does not fit 32 bits.
        case tooLarge
        /// Not a TTL at all (a class, a type, a name).
        case notTTL
    }

    /// Reads a TTL as BIND writes it: digits, or digits with units `s m h d w` (`1h30m`), any case.
    static func ttl<C: Collection>(_ token: C) -> TTL where C.Element == UInt8 {
        guard let first = token.first, (48...57).contains(first) else { return .notTTL }
        var total: UInt64 = 0
        var number: UInt64 = 0
        var digits = 0
        for byte in token {
            switch byte {
            case 48...57:
                number = number * 10 + UInt64(byte - 48)
                digits += 1
                if number > UInt64(UInt32.max) { return .tooLarge }
            default:
                let unit: UInt64
                switch byte | 0x20 {
                case UInt8(ascii: "s"): unit = 1
                case UInt8(ascii: "m"): unit = 60
                case UInt8(ascii: "h"): unit = 3600
                case UInt8(ascii: "d"): unit = 86400
                case UInt8(ascii: "w"): unit = 604800
                default: return .notTTL
                }
                guard digits > 0 else { return .notTTL }
                total += number * unit
                if total > UInt64(UInt32.max) { return .tooLarge }
                number = 0
                digits = 0
            }
        }
        // Digits after the last unit count as seconds (`1h30`), as BIND and libldns read them.
        if digits > 0 { total += number }
        if total > UInt64(UInt32.max) { return .tooLarge }
        if total > 0x7FFF_FFFF { return .aboveMaximum(total) }
        return .value(UInt32(total))
    }

    /// Whether `token` names a class (`IN`, `CH`, `HS`, `CS`, `NONE`, `ANY`, `CLASS<n>`), any case. Read
    /// in place, as it runs for every record.
    static func isClass<C: Collection>(_ token: C) -> Bool where C.Element == UInt8 {
        func upper(_ byte: UInt8) -> UInt8 { byte >= 97 && byte <= 122 ? byte - 32 : byte }
        var bytes = token.makeIterator()
        switch token.count {
        case 2:
            guard let a = bytes.next().map(upper), let b = bytes.next().map(upper) else { return false }
            switch (a, b) {
            case (73, 78), (67, 72), (72, 83), (67, 83): return true  // IN CH HS CS
            default: return false
            }
        case 3, 4:
            let word = token.map(upper)
            return word == Array("ANY".utf8) || word == Array("NONE".utf8)
        default:
            let word = token.map(upper)
            return word.count > 5 && word.starts(with: Array("CLASS".utf8))
                && word.dropFirst(5).allSatisfy { $0 >= 48 && $0 <= 57 }
        }
    }

    /// The blank-separated token of `text` that starts at or after `start`, as a byte range (a `\`
    /// escapes the next byte; quotes are not looked at, as only the fields before the type are wanted).
    static func token(_ text: UnsafeMutableBufferPointer<UInt8>, length: Int, from start: Int) -> Range<Int>? {
        var i = start
        while i < length, text[i] == 32 || text[i] == 9 { i += 1 }
        guard i < length else { return nil }
        let first = i
        while i < length, text[i] != 32, text[i] != 9 {
            if text[i] == 92 { i += 1 }
            i += 1
        }
        return first..<min(i, length)
    }

    /// A problem with the fields before a record's type.
    enum Problem: Error, Equatable {
        case ttlTooLarge(String)
    }

    /// Escapes the `@` that starts an owner longer than `@` itself (`@x` becomes `\@x`) and returns the
    /// new length. RFC 1035 §5.1 gives the origin only to a free-standing `@`, and named-checkzone reads
    /// `@x` as the name `\@x`; libldns 1.8.3 reads any owner starting with `@` as the origin. `text`
    /// must hold `length + 2` bytes.
    static func escapeLeadingAt(_ text: UnsafeMutableBufferPointer<UInt8>, length: Int) -> Int {
        let at = UInt8(ascii: "@")
        guard length > 1, text[0] == at, text[1] != 32, text[1] != 9, length + 2 <= text.count,
            let base = text.baseAddress
        else { return length }
        memmove(base + 1, base, length + 1)
        text[0] = UInt8(ascii: "\\")
        return length + 1
    }

    /// Puts the TTL and class of a flattened record (NUL-terminated, `length` bytes) in the order
    /// libldns reads, and a TTL above 2^31 − 1 to 0. Returns a warning when a TTL was changed.
    static func normaliseRecord(_ text: UnsafeMutableBufferPointer<UInt8>, length: Int, namesOwner: Bool)
        throws(Problem)
        -> String?
    {
        var start = 0
        if namesOwner {
            guard let owner = token(text, length: length, from: 0) else { return nil }
            start = owner.upperBound
        }
        guard let first = token(text, length: length, from: start) else { return nil }
        var ttlRange: Range<Int>? = nil
        if isClass(text[first]), let second = token(text, length: length, from: first.upperBound),
            ttl(text[second]) != .notTTL
        {
            // Swap "CLASS TTL" into "TTL CLASS" within the same bytes.
            let classBytes = Array(text[first])
            let ttlBytes = Array(text[second])
            let gap = Array(text[first.upperBound..<second.lowerBound])
            let rewritten = ttlBytes + gap + classBytes
            for (k, byte) in rewritten.enumerated() { text[first.lowerBound + k] = byte }
            ttlRange = first.lowerBound..<(first.lowerBound + ttlBytes.count)
        } else if ttl(text[first]) != .notTTL {
            ttlRange = first
        }
        guard let range = ttlRange else { return nil }
        return try checkTTL(text, range)
    }

    /// Checks the TTL field at `range`; one above 2^31 − 1 is overwritten with `0` and blanks.
    static func checkTTL(_ text: UnsafeMutableBufferPointer<UInt8>, _ range: Range<Int>) throws(Problem) -> String? {
        let token = String(decoding: text[range], as: UTF8.self)
        switch ttl(text[range]) {
        case .value, .notTTL: return nil
        case .tooLarge: throw .ttlTooLarge(token)
        case .aboveMaximum:
            text[range.lowerBound] = UInt8(ascii: "0")
            for k in (range.lowerBound + 1)..<range.upperBound { text[k] = 32 }
            return "TTL \(token) is above 2^31 - 1 and is read as 0 (RFC 2181 §8)"
        }
    }

    /// The blank-separated fields of a directive entry as written, escapes kept (`$ORIGIN a\;b.test.`
    /// gives `$ORIGIN` and `a\;b.test.`): comments and parentheses go as `MasterFileEntry.flatten`
    /// drops them, so a `\;` or `\ ` stays inside its field, as it does for libldns.
    static func directiveFields(_ entry: UnsafeBufferPointer<UInt8>) -> [String] {
        var flat = [UInt8](repeating: 0, count: entry.count + 1)
        return flat.withUnsafeMutableBufferPointer { text in
            MasterFileEntry.flatten(entry, into: text)
            let length = text.firstIndex(of: 0) ?? 0
            var fields: [String] = []
            var from = 0
            while let field = token(text, length: length, from: from) {
                fields.append(String(decoding: text[field], as: UTF8.self))
                from = field.upperBound
            }
            return fields
        }
    }

    /// The keyword of a directive line (`$TTL`), in capitals.
    static func directiveKeyword(_ text: UnsafeMutableBufferPointer<UInt8>, length: Int) -> String {
        let first = token(text, length: length, from: 0) ?? 0..<0
        return String(decoding: text[first].map { $0 >= 97 && $0 <= 122 ? $0 - 32 : $0 }, as: UTF8.self)
    }

    /// Writes the keyword of a directive in capitals, as libldns wants it.
    static func capitaliseKeyword(_ text: UnsafeMutableBufferPointer<UInt8>, length: Int) {
        guard let first = token(text, length: length, from: 0) else { return }
        for k in first where text[k] >= 97 && text[k] <= 122 { text[k] -= 32 }
    }
}
