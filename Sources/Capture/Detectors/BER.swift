/// Just enough ASN.1 BER (X.690) for LDAP and SNMP: a tag, a definite length and the contents.
struct BERElement {
    var tag: UInt8
    var contents: PacketBytes

    /// Reads one element with a single-byte tag; nil when the bytes do not hold a whole one.
    static func read(_ reader: inout ByteReader) -> BERElement? {
        let start = reader.offset
        guard let tag = reader.readUInt8(), let first = reader.readUInt8() else { return nil }
        var length = Int(first)
        if first & 0x80 != 0 {
            let count = Int(first & 0x7F)
            guard count >= 1, count <= 4 else { return nil }
            length = 0
            for _ in 0..<count {
                guard let byte = reader.readUInt8() else { return nil }
                length = length << 8 | Int(byte)
            }
        }
        guard let contents = reader.readBytes(length) else {
            reader = ByteReader(reader.bytes, offset: start)
            return nil
        }
        return BERElement(tag: tag, contents: contents)
    }

    /// The contents as a non-negative integer, if short enough.
    var integer: Int? {
        guard tag == 0x02, !contents.isEmpty, contents.count <= 4 else { return nil }
        return contents.reduce(0) { $0 << 8 | Int($1) }
    }
}
