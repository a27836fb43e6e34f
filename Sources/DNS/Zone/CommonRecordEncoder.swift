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
    /// lower-cased) appended to `out`, which is emptied first, and its TTL; nil when libldns must read it.
    /// `text` is a flattened record that names its owner, TTL and class in libldns' order; `origin` is
    /// the current origin's wire form as libldns holds it (nil when there is none).
    func encode(_ text: UnsafeBufferPointer<UInt8>, origin: UnsafeBufferPointer<UInt8>?, into out: inout [UInt8])
        -> UInt32?
    {
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * Self.maximumTokens) { bounds in
            encode(text, bounds: bounds, origin: origin, into: &out)
        }
    }

    /// Records of more fields than this (a long type bitmap, a signature in many pieces) go to libldns.
    private static let maximumTokens = 24

    private func encode(
        _ text: UnsafeBufferPointer<UInt8>, bounds: UnsafeMutableBufferPointer<Int>,
        origin: UnsafeBufferPointer<UInt8>?, into out: inout [UInt8]
    ) -> UInt32? {
        // The blank-separated tokens, as start and end offsets; a byte libldns reads specially ends it.
        var count = 0
        var i = 0
        let n = text.count
        while i < n {
            let b = text[i]
            if b == 32 || b == 9 || b == 10 {
                i += 1
                continue
            }
            guard count < Self.maximumTokens else { return nil }
            bounds[2 * count] = i
            while i < n {
                let c = text[i]
                if c == 32 || c == 9 || c == 10 { break }
                // Printable ASCII only, without `"` `(` `)` `;` `@` `\`.
                guard c > 32, c < 127, c != 34, c != 40, c != 41, c != 59, c != 64, c != 92 else { return nil }
                i += 1
            }
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

        out.removeAll(keepingCapacity: true)
        guard Self.appendName(token(0), origin: origin, lowercase: true, into: &out) else { return nil }
        Self.append16(type, &out)
        Self.append16(1, &out)
        Self.append32(UInt32(ttl), &out)
        let lengthAt = out.count
        Self.append16(0, &out)

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
            Self.append16(covered, &out)
            out.append(UInt8(algorithm))
            out.append(UInt8(labels))
            Self.append32(UInt32(originalTTL), &out)
            Self.append32(expiration, &out)
            Self.append32(inception, &out)
            Self.append16(UInt16(keyTag), &out)
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
            Self.append16(UInt16(iterations), &out)
            guard Self.appendSalt(token(fields + 3), into: &out),
                Self.appendBase32Hex(token(fields + 4), into: &out),
                appendBitmap((fields + 5)..<count, token, into: &out)
            else { return nil }
        default:
            return nil
        }
        let length = out.count - lengthAt - 2
        guard length <= 65535 else { return nil }
        out[lengthAt] = UInt8(length >> 8)
        out[lengthAt + 1] = UInt8(length & 0xFF)
        return UInt32(ttl)
    }

    private static func append16(_ value: UInt16, _ out: inout [UInt8]) {
        out.append(UInt8(value >> 8))
        out.append(UInt8(value & 0xFF))
    }

    private static func append32(_ value: UInt32, _ out: inout [UInt8]) {
        out.append(UInt8(value >> 24))
        out.append(UInt8((value >> 16) & 0xFF))
        out.append(UInt8((value >> 8) & 0xFF))
        out.append(UInt8(value & 0xFF))
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
        var digits = [Int](repeating: 0, count: 14)
        for (k, b) in token.enumerated() {
            guard b >= 48, b <= 57 else { return nil }
            digits[k] = Int(b - 48)
        }
        func field(_ from: Int, _ length: Int) -> Int { digits[from..<(from + length)].reduce(0) { $0 * 10 + $1 } }
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
        let monthDays = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        for m in 0..<(month - 1) { days += monthDays[m] }
        let leapYear = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        if month > 2 && leapYear { days += 1 }
        days += day - 1
        let seconds = Int64(((days * 24 + hour) * 60 + minute) * 60 + second)
        return UInt32(truncatingIfNeeded: seconds)
    }

    /// A name of letters, digits, `-`, `_` and `*` in non-empty labels; relative names get the origin.
    private static func appendName(
        _ token: UnsafeBufferPointer<UInt8>, origin: UnsafeBufferPointer<UInt8>?, lowercase: Bool,
        into out: inout [UInt8]
    ) -> Bool {
        guard !token.isEmpty, token.count <= 250 else { return false }
        let start = out.count
        var labelAt = out.count
        out.append(0)
        var labelLength = 0
        for b in token {
            if b == 46 {
                guard labelLength > 0 else { return false }
                out[labelAt] = UInt8(labelLength)
                labelAt = out.count
                out.append(0)
                labelLength = 0
                continue
            }
            let isLetter = (b | 0x20) >= 97 && (b | 0x20) <= 122
            guard isLetter || (b >= 48 && b <= 57) || b == 45 || b == 95 || b == 42 else { return false }
            labelLength += 1
            guard labelLength < 64 else { return false }
            out.append(lowercase && b >= 65 && b <= 90 ? b + 32 : b)
        }
        if labelLength > 0 {
            // Relative: this label closes, then the origin follows (libldns' ldns_dname_cat).
            guard let origin, !origin.isEmpty, origin.last == 0 else { return false }
            out[labelAt] = UInt8(labelLength)
            for b in origin { out.append(lowercase && b >= 65 && b <= 90 ? b + 32 : b) }
        }
        // An absolute name already ends with the empty label written after its last dot.
        return out.count - start <= 255
    }

    private static func appendAddress(
        _ token: UnsafeBufferPointer<UInt8>, family: Int32, size: Int, into out: inout [UInt8]
    ) -> Bool {
        guard token.count < 46 else { return false }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { text in
            for (k, b) in token.enumerated() { text[k] = CChar(bitPattern: b) }
            text[token.count] = 0
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 16) { address in
                guard inet_pton(family, text.baseAddress, address.baseAddress) == 1 else { return false }
                out.append(contentsOf: address[..<size])
                return true
            }
        }
    }

    /// Base64 (RFC 4648 §4) in one or more tokens: whole groups of four only, `=` padding only at the
    /// very end, and the bits the padding leaves unused zero, as ldns_b64_pton requires.
    private static func appendBase64(
        _ tokens: Range<Int>, _ token: (Int) -> UnsafeBufferPointer<UInt8>, into out: inout [UInt8]
    ) -> Bool {
        var group: UInt32 = 0
        var inGroup = 0
        var padding = 0
        var decoded = 0
        for k in tokens {
            for b in token(k) {
                let value: UInt32
                switch b {
                case 65...90: value = UInt32(b - 65)
                case 97...122: value = UInt32(b - 97 + 26)
                case 48...57: value = UInt32(b - 48 + 52)
                case 43: value = 62
                case 47: value = 63
                case 61:
                    // `xx==` or `xxx=` only.
                    guard inGroup >= 2 else { return false }
                    padding += 1
                    value = 0
                default: return false
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

    /// An NSEC3 salt: `-` for none, else an even number of hex digits (length-prefixed on the wire).
    private static func appendSalt(_ token: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) -> Bool {
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
    private static func appendBase32Hex(_ token: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) -> Bool {
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
        _ tokens: Range<Int>, _ token: (Int) -> UnsafeBufferPointer<UInt8>, into out: inout [UInt8]
    ) -> Bool {
        guard !tokens.isEmpty else { return false }
        var types: [UInt16] = []
        types.reserveCapacity(tokens.count)
        for k in tokens {
            guard let code = typeCode(token(k)) else { return false }
            types.append(code)
        }
        types.sort()
        var index = 0
        while index < types.count {
            let window = types[index] >> 8
            var bits = [UInt8](repeating: 0, count: 32)
            var highest = 0
            while index < types.count, types[index] >> 8 == window {
                let low = Int(types[index] & 0xFF)
                bits[low / 8] |= 0x80 >> UInt8(low % 8)
                highest = max(highest, low / 8)
                index += 1
            }
            out.append(UInt8(window))
            out.append(UInt8(highest + 1))
            out.append(contentsOf: bits[...highest])
        }
        return true
    }
}
