import Foundation

/// Writes the canonical wire form of the records a signed zone is nearly made of (A, AAAA, RRSIG,
/// NSEC, NSEC3), in the plainest way signers write them, without libldns building a record of
/// allocated fields and converting it back to wire for each. In a zone of 200,000 names these are
/// 1.2 million records; libldns' reading of them was most of the CPU time not spent verifying.
///
/// It reads only text whose meaning is unambiguous and is exactly what libldns 1.8.3 would make of it
/// (`ldns_rr_new_frm_str` then `ldns_rr2buffer_wire_canonical`); for anything else — escapes, quotes,
/// `@`, a missing owner, TTL or class other than IN, a TTL with units, an algorithm mnemonic, a type
/// name libldns does not list, odd base64 or base32 — it returns nil and libldns reads the record as
/// before, so libldns still decides every record whose reading is not plain. A test reads every
/// sample zone and the benchmark zones both ways and compares the stored bytes.
///
/// Worked examples (flattened text → what happens):
///
///     a.example. 300 IN A 192.0.2.1                 → A, here
///     a.example. 300 A 192.0.2.1                    → A, here (class IN when left out, as libldns)
///     a.example. IN A 192.0.2.1                     → libldns (no TTL: the default TTL rules apply)
///     a.example. 1h IN A 192.0.2.1                  → libldns (TTL with units)
///     a.example. 300 IN RRSIG A ECDSAP256SHA256 …   → libldns (algorithm mnemonic)
///     a\.b.example. 300 IN A 192.0.2.1              → libldns (escape)
struct CommonRecordEncoder {
    /// Type mnemonics of up to 8 characters, packed as in `pack`, in an open-addressed table (`slot`),
    /// with their codes: the names libldns knows. A few lookups per record, so no hashing of strings.
    private let typeKeys: [UInt64]
    private let typeValues: [UInt16]
    private static let slots = 1024
    /// The names libldns knows that are longer than 8 characters (NSEC3PARAM, OPENPGPKEY, …).
    let longTypeCodes: [[UInt8]: UInt16]

    init(typeNames: [(String, UInt16)]) {
        var keys = [UInt64](repeating: 0, count: Self.slots)
        var values = [UInt16](repeating: 0, count: Self.slots)
        var long: [[UInt8]: UInt16] = [:]
        for (name, code) in typeNames.prefix(Self.slots / 2) {
            let bytes = Array(name.uppercased().utf8)
            guard !bytes.isEmpty else { continue }
            if bytes.count <= 8 {
                let key = Self.pack(bytes[...])
                var slot = Self.slot(key)
                while keys[slot] != 0 && keys[slot] != key { slot = (slot + 1) % Self.slots }
                keys[slot] = key
                values[slot] = code
            } else {
                long[bytes] = code
            }
        }
        typeKeys = keys
        typeValues = values
        longTypeCodes = long
    }

    private static func slot(_ key: UInt64) -> Int { Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 54) }

    /// Up to eight bytes, upper-cased, as one integer.
    private static func pack<C: Collection>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
        var key: UInt64 = 0
        for b in bytes { key = key << 8 | UInt64(b >= 97 && b <= 122 ? b - 32 : b) }
        return key
    }

    private func typeCode(_ token: UnsafeBufferPointer<UInt8>) -> UInt16? {
        if token.count <= 8 {
            let key = Self.pack(token)
            var slot = Self.slot(key)
            while typeKeys[slot] != 0 {
                if typeKeys[slot] == key { return typeValues[slot] }
                slot = (slot + 1) % Self.slots
            }
            return nil
        }
        return longTypeCodes[token.map { $0 >= 97 && $0 <= 122 ? $0 - 32 : $0 }]
    }

    private static let a: UInt16 = 1
    private static let aaaa: UInt16 = 28
    private static let rrsig: UInt16 = 46
    private static let nsec: UInt16 = 47
    private static let nsec3: UInt16 = 50

    /// The record's wire form (owner, type, class, TTL, RDLENGTH, RDATA; the owner and an RRSIG's signer
    /// lower-cased) in `out`, which is replaced, and its TTL; nil when libldns must read it. `text` is a
    /// flattened record that names its owner, TTL and class in libldns' order (a final newline reads as
    /// a blank); `origin` is the current origin's wire form as libldns holds it (nil when there is none).
    func encode(_ text: UnsafeBufferPointer<UInt8>, origin: UnsafeBufferPointer<UInt8>?, into out: inout [UInt8])
        -> UInt32?
    {
        var buffer = [UInt8](repeating: 0, count: Self.outputCapacity(text.count))
        guard let (ttl, length) = buffer.withUnsafeMutableBufferPointer({ encode(text, origin: origin, into: $0) })
        else { return nil }
        out = Array(buffer[..<length])
        return ttl
    }

    /// The room `encode(_:origin:into:)` needs for a text of `count` bytes: the text decodes to at most
    /// as many bytes, except the owner and the signer (each at most 250 bytes of text with an origin of
    /// up to 255 appended), the type bitmap (at most 34 bytes for each of at most 24 type tokens) and
    /// the fixed fields.
    static func outputCapacity(_ count: Int) -> Int { count + 2048 }

    /// The same into `out`, which must hold `outputCapacity(text.count)` bytes: the TTL and the length
    /// written.
    func encode(
        _ text: UnsafeBufferPointer<UInt8>, origin: UnsafeBufferPointer<UInt8>?,
        into out: UnsafeMutableBufferPointer<UInt8>
    ) -> (ttl: UInt32, length: Int)? {
        precondition(out.count >= Self.outputCapacity(text.count))
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * Self.maximumTokens) { bounds in
            Self.byteClasses.withUnsafeBufferPointer { classes in
                var writer = Writer(base: out.baseAddress!)
                guard let ttl = encode(text, bounds: bounds, classes: classes, origin: origin, into: &writer) else {
                    return nil
                }
                return (ttl, writer.count)
            }
        }
    }

    /// Records of more fields than this (a long type bitmap, a signature in many pieces) go to libldns.
    private static let maximumTokens = 24

    /// Writes forward from `base`; the caller has made the room (see `outputCapacity`).
    struct Writer {
        let base: UnsafeMutablePointer<UInt8>
        var count = 0

        @inline(__always) mutating func append(_ byte: UInt8) {
            base[count] = byte
            count += 1
        }

        @inline(__always) mutating func append16(_ value: UInt16) {
            base[count] = UInt8(value >> 8)
            base[count + 1] = UInt8(truncatingIfNeeded: value)
            count += 2
        }

        @inline(__always) mutating func append32(_ value: UInt32) {
            base[count] = UInt8(value >> 24)
            base[count + 1] = UInt8(truncatingIfNeeded: value >> 16)
            base[count + 2] = UInt8(truncatingIfNeeded: value >> 8)
            base[count + 3] = UInt8(truncatingIfNeeded: value)
            count += 4
        }
    }

    /// How the tokenizer takes each byte: 0 inside a token (printable ASCII but `"` `(` `)` `;` `@` `\`),
    /// 1 a blank (space, tab, line feed), 2 anything else, which libldns reads specially.
    private static let byteClasses: [UInt8] = (0..<256).map { b in
        if b == 32 || b == 9 || b == 10 { return 1 }
        guard b > 32, b < 127, ![34, 40, 41, 59, 64, 92].contains(b) else { return 2 }
        return 0
    }

    private func encode(
        _ text: UnsafeBufferPointer<UInt8>, bounds: UnsafeMutableBufferPointer<Int>,
        classes: UnsafeBufferPointer<UInt8>, origin: UnsafeBufferPointer<UInt8>?, into out: inout Writer
    ) -> UInt32? {
        // The blank-separated tokens, as start and end offsets; a byte libldns reads specially ends it.
        var count = 0
        var i = 0
        let n = text.count
        while i < n {
            var c = classes[Int(text[i])]
            if c == 1 {
                i += 1
                continue
            }
            guard count < Self.maximumTokens else { return nil }
            bounds[2 * count] = i
            while c == 0 {
                i += 1
                guard i < n else { break }
                c = classes[Int(text[i])]
            }
            guard c != 2 else { return nil }
            bounds[2 * count + 1] = i
            count += 1
        }
        func token(_ k: Int) -> UnsafeBufferPointer<UInt8> {
            UnsafeBufferPointer(rebasing: text[bounds[2 * k]..<bounds[2 * k + 1]])
        }
        // owner TTL [IN] TYPE RDATA…
        guard count >= 4, let ttl = Self.number(token(1), max: UInt64(UInt32.max)) else { return nil }
        var next = 2
        let classToken = token(2)
        if classToken.count == 2, classToken[0] | 0x20 == UInt8(ascii: "i"), classToken[1] | 0x20 == UInt8(ascii: "n") {
            next = 3
        } else if MasterFileFields.isClass(classToken) {
            return nil
        }
        guard let type = typeCode(token(next)) else { return nil }
        let fields = next + 1
        let rdataCount = count - fields

        guard Self.appendName(token(0), origin: origin, lowercase: true, into: &out) else { return nil }
        out.append16(type)
        out.append16(1)
        out.append32(UInt32(ttl))
        let lengthAt = out.count
        out.append16(0)

        switch type {
        case Self.a:
            guard rdataCount == 1, Self.appendAddress(token(fields), family: AF_INET, size: 4, into: &out) else {
                return nil
            }
        case Self.aaaa:
            guard rdataCount == 1, Self.appendAddress(token(fields), family: AF_INET6, size: 16, into: &out) else {
                return nil
            }
        case Self.rrsig:
            // type covered, algorithm, labels, original TTL, expiration, inception, key tag, signer, signature.
            guard rdataCount >= 9, let covered = typeCode(token(fields)),
                let algorithm = Self.number(token(fields + 1), max: 255),
                let labels = Self.number(token(fields + 2), max: 255),
                let originalTTL = Self.number(token(fields + 3), max: UInt64(UInt32.max)),
                let expiration = Self.time(token(fields + 4)), let inception = Self.time(token(fields + 5)),
                let keyTag = Self.number(token(fields + 6), max: 65535)
            else { return nil }
            out.append16(covered)
            out.append(UInt8(algorithm))
            out.append(UInt8(labels))
            out.append32(UInt32(originalTTL))
            out.append32(expiration)
            out.append32(inception)
            out.append16(UInt16(keyTag))
            guard Self.appendName(token(fields + 7), origin: origin, lowercase: true, into: &out) else { return nil }
            // The signature is the rest of the record, blanks inside it ignored (RFC 4034 §3.2).
            guard Self.appendBase64((fields + 8)..<count, token, into: &out) else { return nil }
        case Self.nsec:
            guard rdataCount >= 2,
                Self.appendName(token(fields), origin: origin, lowercase: false, into: &out),
                appendBitmap((fields + 1)..<count, token, into: &out)
            else { return nil }
        case Self.nsec3:
            guard rdataCount >= 6, let hash = Self.number(token(fields), max: 255),
                let flags = Self.number(token(fields + 1), max: 255),
                let iterations = Self.number(token(fields + 2), max: 65535)
            else { return nil }
            out.append(UInt8(hash))
            out.append(UInt8(flags))
            out.append16(UInt16(iterations))
            guard Self.appendSalt(token(fields + 3), into: &out),
                Self.appendBase32Hex(token(fields + 4), into: &out),
                appendBitmap((fields + 5)..<count, token, into: &out)
            else { return nil }
        default:
            return nil
        }
        let length = out.count - lengthAt - 2
        guard length <= 65535 else { return nil }
        out.base[lengthAt] = UInt8(length >> 8)
        out.base[lengthAt + 1] = UInt8(length & 0xFF)
        return UInt32(ttl)
    }

    /// Decimal digits only, at most `max` (libldns' `strtol` would wrap larger values or take signs).
    private static func number(_ token: UnsafeBufferPointer<UInt8>, max: UInt64) -> UInt64? {
        guard !token.isEmpty, token.count <= 10 else { return nil }
        var value: UInt64 = 0
        for b in token {
            guard b >= 48, b <= 57 else { return nil }
            value = value * 10 + UInt64(b - 48)
        }
        return value <= max ? value : nil
    }

    /// An RRSIG time: `YYYYMMDDHHmmSS` as libldns reads it (`ldns_str2rdf_time`: the ranges it checks,
    /// seconds since 1970 taken modulo 2^32, RFC 4034 §3.1.5), or a plain number of seconds.
    private static func time(_ token: UnsafeBufferPointer<UInt8>) -> UInt32? {
        guard token.count == 14 else {
            return number(token, max: UInt64(UInt32.max)).map { UInt32($0) }
        }
        for b in token {
            guard b >= 48, b <= 57 else { return nil }
        }
        func field(_ from: Int, _ length: Int) -> Int {
            var value = 0
            for k in from..<(from + length) { value = value * 10 + Int(token[k] - 48) }
            return value
        }
        let year = field(0, 4)
        let month = field(4, 2)
        let day = field(6, 2)
        let hour = field(8, 2)
        let minute = field(10, 2)
        let second = field(12, 2)
        guard year >= 1970, (1...12).contains(month), (1...31).contains(day), hour <= 23, minute <= 59, second <= 59
        else { return nil }
        // ldns_mktime_from_utc: days from 1970 by year, then by month, then the day of the month.
        func leaps(_ y: Int) -> Int { (y - 1) / 4 - (y - 1) / 100 + (y - 1) / 400 }
        var days = 365 * (year - 1970) + leaps(year) - leaps(1970)
        days += daysBeforeMonth[month - 1]
        let leapYear = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        if month > 2 && leapYear { days += 1 }
        days += day - 1
        let seconds = Int64(((days * 24 + hour) * 60 + minute) * 60 + second)
        return UInt32(truncatingIfNeeded: seconds)
    }

    /// Days before each month in a common year.
    private static let daysBeforeMonth = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334]

    /// Each byte of a name as written: its lower-case form when it may stand in a label (letters,
    /// digits, `-`, `_`, `*`), `.` for the dot, 0 for anything else.
    private static let nameBytes: [UInt8] = (0..<256).map { b in
        switch b {
        case 65...90: return UInt8(b + 32)
        case 97...122, 48...57, 45, 95, 42, 46: return UInt8(b)
        default: return 0
        }
    }

    /// A name of letters, digits, `-`, `_` and `*` in non-empty labels; relative names get the origin.
    private static func appendName(
        _ token: UnsafeBufferPointer<UInt8>, origin: UnsafeBufferPointer<UInt8>?, lowercase: Bool,
        into out: inout Writer
    ) -> Bool {
        guard !token.isEmpty, token.count <= 250 else { return false }
        return nameBytes.withUnsafeBufferPointer { table in
            let start = out.count
            var labelAt = out.count
            out.append(0)
            var labelLength = 0
            for b in token {
                let lower = table[Int(b)]
                if lower == 46 {
                    guard labelLength > 0 else { return false }
                    out.base[labelAt] = UInt8(labelLength)
                    labelAt = out.count
                    out.append(0)
                    labelLength = 0
                    continue
                }
                guard lower != 0 else { return false }
                labelLength += 1
                guard labelLength < 64 else { return false }
                out.append(lowercase ? lower : b)
            }
            if labelLength > 0 {
                // Relative: this label closes, then the origin follows (libldns' ldns_dname_cat).
                guard let origin, !origin.isEmpty, origin.last == 0 else { return false }
                out.base[labelAt] = UInt8(labelLength)
                for b in origin { out.append(lowercase && b >= 65 && b <= 90 ? b + 32 : b) }
            }
            // An absolute name already ends with the empty label written after its last dot.
            return out.count - start <= 255
        }
    }

    private static func appendAddress(
        _ token: UnsafeBufferPointer<UInt8>, family: Int32, size: Int, into out: inout Writer
    ) -> Bool {
        guard token.count < 46 else { return false }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { text in
            for (k, b) in token.enumerated() { text[k] = CChar(bitPattern: b) }
            text[token.count] = 0
            guard inet_pton(family, text.baseAddress, out.base + out.count) == 1 else { return false }
            out.count += size
            return true
        }
    }

    /// Each byte's base64 value (RFC 4648 §4): 0–63, 64 for the padding `=`, 255 for anything else.
    private static let base64Values: [UInt8] = (0..<256).map { b in
        switch b {
        case 65...90: return UInt8(b - 65)
        case 97...122: return UInt8(b - 97 + 26)
        case 48...57: return UInt8(b - 48 + 52)
        case 43: return 62
        case 47: return 63
        case 61: return 64
        default: return 255
        }
    }

    /// Base64 (RFC 4648 §4) in one or more tokens: whole groups of four only, `=` padding only at the
    /// very end, and the bits the padding leaves unused zero, as ldns_b64_pton requires.
    private static func appendBase64(
        _ tokens: Range<Int>, _ token: (Int) -> UnsafeBufferPointer<UInt8>, into out: inout Writer
    ) -> Bool {
        base64Values.withUnsafeBufferPointer { values in
            var group: UInt32 = 0
            var inGroup = 0
            var padding = 0
            var decoded = 0
            for k in tokens {
                let part = token(k)
                var i = 0
                // Whole groups of four data characters at once while the token has them.
                if inGroup == 0 && padding == 0 {
                    while i + 4 <= part.count {
                        let a = values[Int(part[i])]
                        let b = values[Int(part[i + 1])]
                        let c = values[Int(part[i + 2])]
                        let d = values[Int(part[i + 3])]
                        guard (a | b | c | d) < 64 else { break }
                        let bits = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                        out.append(UInt8(bits >> 16))
                        out.append(UInt8((bits >> 8) & 0xFF))
                        out.append(UInt8(bits & 0xFF))
                        decoded += 3
                        i += 4
                    }
                }
                while i < part.count {
                    let b = part[i]
                    i += 1
                    var value = UInt32(values[Int(b)])
                    switch value {
                    case 255: return false
                    case 64:
                        // `xx==` or `xxx=` only.
                        guard inGroup >= 2 else { return false }
                        padding += 1
                        value = 0
                    default: break
                    }
                    // Nothing but more padding after padding, and no group after a padded one.
                    guard decoded >= 0, padding == 0 || b == 61 else { return false }
                    group = group << 6 | value
                    inGroup += 1
                    guard inGroup == 4 else { continue }
                    switch padding {
                    case 0:
                        out.append(UInt8(group >> 16))
                        out.append(UInt8((group >> 8) & 0xFF))
                        out.append(UInt8(group & 0xFF))
                        decoded += 3
                    case 1:
                        guard group & 0xFF == 0 else { return false }
                        out.append(UInt8(group >> 16))
                        out.append(UInt8((group >> 8) & 0xFF))
                        decoded = -1
                    case 2:
                        guard group & 0xFFFF == 0 else { return false }
                        out.append(UInt8(group >> 16))
                        decoded = -1
                    default: return false
                    }
                    group = 0
                    inGroup = 0
                }
            }
            return inGroup == 0 && decoded != 0
        }
    }

    /// An NSEC3 salt: `-` for none, else an even number of hex digits (length-prefixed on the wire).
    private static func appendSalt(_ token: UnsafeBufferPointer<UInt8>, into out: inout Writer) -> Bool {
        if token.count == 1 && token[0] == 45 {
            out.append(0)
            return true
        }
        guard token.count % 2 == 0, token.count <= 510 else { return false }
        out.append(UInt8(token.count / 2))
        var k = 0
        while k < token.count {
            guard let high = hex(token[k]), let low = hex(token[k + 1]) else { return false }
            out.append(high << 4 | low)
            k += 2
        }
        return true
    }

    private static func hex(_ b: UInt8) -> UInt8? {
        switch b {
        case 48...57: return b - 48
        case 65...70: return b - 55
        case 97...102: return b - 87
        default: return nil
        }
    }

    /// An NSEC3 next hashed owner in base32hex (RFC 4648 §7) without padding, whole groups of 8
    /// characters only (a SHA-1 hash is 32), length-prefixed on the wire.
    private static func appendBase32Hex(_ token: UnsafeBufferPointer<UInt8>, into out: inout Writer) -> Bool {
        guard !token.isEmpty, token.count % 8 == 0, token.count <= 400 else { return false }
        out.append(UInt8(token.count / 8 * 5))
        var k = 0
        while k < token.count {
            var group: UInt64 = 0
            for j in 0..<8 {
                let b = token[k + j] | 0x20
                let value: UInt8
                switch b {
                case 48...57: value = b - 48
                case 97...118: value = b - 97 + 10
                default: return false
                }
                group = group << 5 | UInt64(value)
            }
            for shift in stride(from: 32, through: 0, by: -8) { out.append(UInt8((group >> UInt64(shift)) & 0xFF)) }
            k += 8
        }
        return true
    }

    /// The type bitmap of NSEC and NSEC3 (RFC 4034 §4.1.2) from type mnemonics, as
    /// ldns_dnssec_create_nsec_bitmap builds it. An empty list is left to libldns.
    private func appendBitmap(
        _ tokens: Range<Int>, _ token: (Int) -> UnsafeBufferPointer<UInt8>, into out: inout Writer
    ) -> Bool {
        guard !tokens.isEmpty, tokens.count <= Self.maximumTokens else { return false }
        return withUnsafeTemporaryAllocation(of: UInt16.self, capacity: Self.maximumTokens) { types in
            // The codes in ascending order, by insertion: a bitmap lists a few types.
            var count = 0
            for k in tokens {
                guard let code = typeCode(token(k)) else { return false }
                var at = count
                while at > 0 && types[at - 1] > code {
                    types[at] = types[at - 1]
                    at -= 1
                }
                types[at] = code
                count += 1
            }
            var index = 0
            while index < count {
                let window = types[index] >> 8
                // The window's 32 bytes of bits are written in place and cut after the highest used.
                let bitsAt = out.count + 2
                (out.base + bitsAt).initialize(repeating: 0, count: 32)
                var highest = 0
                while index < count, types[index] >> 8 == window {
                    let low = Int(types[index] & 0xFF)
                    out.base[bitsAt + low / 8] |= 0x80 >> UInt8(low % 8)
                    highest = max(highest, low / 8)
                    index += 1
                }
                out.append(UInt8(window))
                out.append(UInt8(highest + 1))
                out.count += highest + 1
            }
            return true
        }
    }
}
