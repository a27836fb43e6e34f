import Foundation

/// Every record of a zone in packed form: RDATA bytes in one arena, a 24-byte row per record, and each
/// run of records with one owner (nearly always all of that name's records) naming it once. A
/// million-record zone then costs tens of megabytes rather than the hundreds that one Swift array per
/// record (or libldns' ~600 bytes per record) would.
struct RecordStore: Sendable {
    /// One record: its owner's id, type, class, TTL, where its canonical RDATA lies in `bytes`, and
    /// the file and line it ended on.
    struct Row: Sendable {
        var owner: UInt32
        var rdataStart: UInt32
        var rdataLength: UInt16
        var type: UInt16
        var ttl: UInt32
        var line: UInt32
        var file: UInt16
        var recordClass: UInt16
    }

    private(set) var bytes: [UInt8] = []
    private(set) var rows: [Row] = []
    /// Owner names, indexed by `Row.owner`: a new id whenever a record's owner is not the previous
    /// record's, so a name written in two places of a file has two ids (`ZoneStructure` ranks them as
    /// one name). Reading keeps no table of the names seen: hashing every owner was a sixth of it.
    private(set) var owners: [DomainName] = []
    /// Files records came from (the zone file, then files read through `$INCLUDE`).
    private(set) var files: [String] = []
    private var lastOwner: (name: DomainName, id: UInt32)?

    /// Whether the arena still has room (offsets are 32-bit).
    var isFull: Bool { bytes.count > Int(UInt32.max) - 65_536 }

    @discardableResult
    mutating func fileID(_ path: String) -> UInt16 {
        if let i = files.firstIndex(of: path) { return UInt16(i) }
        files.append(path)
        return UInt16(files.count - 1)
    }

    mutating func append(
        owner: DomainName, type: UInt16, recordClass: UInt16, ttl: UInt32, rdata: UnsafeBufferPointer<UInt8>,
        line: Int, file: UInt16
    ) {
        let id = ownerID(owner)
        rows.append(
            Row(
                owner: id, rdataStart: UInt32(bytes.count), rdataLength: UInt16(rdata.count), type: type,
                ttl: ttl, line: UInt32(clamping: line), file: file, recordClass: recordClass))
        bytes.append(contentsOf: rdata)
    }

    /// The same from the owner's wire form (lower-cased here): a record with the previous record's owner,
    /// as most are, makes no name.
    mutating func append(
        ownerWire: UnsafeBufferPointer<UInt8>, type: UInt16, recordClass: UInt16, ttl: UInt32,
        rdata: UnsafeBufferPointer<UInt8>, line: Int, file: UInt16
    ) {
        func lower(_ b: UInt8) -> UInt8 { b >= 65 && b <= 90 ? b + 32 : b }
        let id: UInt32
        if let last = lastOwner, last.name.wire.count == ownerWire.count,
            zip(last.name.wire, ownerWire).allSatisfy({ $0 == lower($1) })
        {
            id = last.id
        } else {
            id = ownerID(DomainName(wire: ownerWire.map(lower)))
        }
        rows.append(
            Row(
                owner: id, rdataStart: UInt32(bytes.count), rdataLength: UInt16(rdata.count), type: type,
                ttl: ttl, line: UInt32(clamping: line), file: file, recordClass: recordClass))
        bytes.append(contentsOf: rdata)
    }

    /// The id of `owner`: the previous record's when it is the same name, else a new one.
    mutating func ownerID(_ owner: DomainName) -> UInt32 {
        if let last = lastOwner, last.name == owner { return last.id }
        let id = UInt32(owners.count)
        owners.append(owner)
        lastOwner = (owner, id)
        return id
    }

    fileprivate mutating func appendRows(_ more: [Row], bytes moreBytes: [UInt8]) {
        rows += more
        bytes += moreBytes
    }

    /// Makes room for `count` owner ids in all.
    mutating func reserveOwners(_ count: Int) {
        owners.reserveCapacity(count)
    }

    /// Forgets the previous owner; the store is read-only from here on.
    mutating func finishReading() {
        lastOwner = nil
        // Spare capacity left by growing is not copied away: its pages were never touched, so they cost
        // no memory, and a copy would briefly hold the arena twice.
    }

    func rdata(_ row: Row) -> ArraySlice<UInt8> {
        bytes[Int(row.rdataStart)..<(Int(row.rdataStart) + Int(row.rdataLength))]
    }

    /// Whether two rows hold the same RDATA bytes.
    func sameRDATA(_ a: Row, _ b: Row) -> Bool {
        guard a.rdataLength == b.rdataLength else { return false }
        guard a.rdataLength > 0 else { return true }
        return bytes.withUnsafeBufferPointer {
            memcmp($0.baseAddress! + Int(a.rdataStart), $0.baseAddress! + Int(b.rdataStart), Int(a.rdataLength)) == 0
        }
    }

    /// The first two bytes of a row's RDATA as a number: an RRSIG's Type Covered (RFC 4034 §3.1.1);
    /// nil when the RDATA is shorter.
    func coveredType(_ row: Row) -> UInt16? {
        guard row.rdataLength >= 2 else { return nil }
        let i = Int(row.rdataStart)
        return UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1])
    }

    func owner(_ row: Row) -> DomainName { owners[Int(row.owner)] }
    func file(_ row: Row) -> String { files[Int(row.file)] }
}

extension RecordStore {
    /// Appends every record of `other` (a piece of the same file read apart), its owner ids after ours.
    mutating func append(contentsOf other: RecordStore) {
        let fileMap = other.files.map { fileID($0) }
        let ownerBase = UInt32(owners.count)
        owners += other.owners
        lastOwner = other.lastOwner.map { ($0.name, $0.id + ownerBase) }
        let base = UInt32(bytes.count)
        appendRows(
            other.rows.map { row in
                var moved = row
                moved.owner = row.owner + ownerBase
                moved.rdataStart = row.rdataStart + base
                moved.file = fileMap[Int(row.file)]
                return moved
            }, bytes: other.bytes)
    }
}
