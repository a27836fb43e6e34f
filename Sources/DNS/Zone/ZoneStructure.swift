import Foundation

/// How much of a name's data the zone is authoritative for, which decides what must be signed
/// (RFC 4035 §2.2): everything at and below the apex, except that at a delegation point only DS and
/// NSEC are the parent's, names below a delegation (glue) are not the zone's at all, and names below a
/// DNAME are occluded (RFC 6672 §2.3): a server never answers from them, so they are neither signed
/// nor in the NSEC chain. Computed once here, every check reads it.
///
/// Worked examples (zone `example.com`):
/// - `sub NS …` and `ns.sub A …`: `sub` is a delegation, `ns.sub` below it.
/// - `old DNAME example.net.` and `www.old A …`: `old` is authoritative (its DNAME is signed and in the
///   chain), `www.old` occluded.
/// - `@ DNAME example.net.`: every name below the apex is occluded, except the NSEC3 hashed owners
///   directly below it, which only hold the chain (BIND's and Knot's signers put them there).
enum NameAuthority: Sendable, Equatable {
    case authoritative
    case delegation
    case belowDelegation
    case occluded
    case outOfZone

    /// Whether the name is in the zone's data proper: authoritative, or a delegation point.
    var isInChain: Bool { self == .authoritative || self == .delegation }
}

/// A DNSSEC record (NSEC or RRSIG) at a name where the zone may have none: below a zone cut, occluded
/// by a DNAME, outside the zone, or an RRSIG over data the zone is not authoritative for.
struct MisplacedDNSSECRecord: Sendable, Equatable {
    var owner: DomainName
    var type: RecordType
    /// For an RRSIG, the type it covers.
    var covered: RecordType?
    var authority: NameAuthority
    var line: Int
    var file: String
}

/// One RRSIG record, decoded, with where it came from.
struct SignatureRecord: Sendable {
    var data: RRSIGData
    var line: Int
    var file: String
}

/// The records of one owner, type and class: the unit DNSSEC signs. Built on demand from the packed
/// store, so only the RRsets being looked at hold Swift arrays.
struct ResourceRecordSet: Sendable {
    var owner: DomainName
    var type: RecordType
    var recordClass: UInt16
    var ttl: UInt32
    /// Canonical RDATA, sorted and without duplicates (RFC 4034 §6.3).
    var rdatas: [[UInt8]]
    var line: Int
    var file: String
    var signatures: [SignatureRecord]
}

/// A zone organised for DNSSEC checks: names in canonical order, their RRsets and signatures, the
/// apex keys and what the zone is authoritative for. Rows of the record store are sorted once by
/// (owner in canonical order, type, RDATA); an RRset, its RRSIGs and a name's RRsets are then runs of
/// that order, held as index ranges.
struct ZoneStructure: Sendable {
    struct Name: Sendable {
        var owner: DomainName
        var authority: NameAuthority
        /// Indices into `rrsets`, ordered by type.
        var rrsets: Range<Int>
        /// Positions in `order` of RRSIGs at this owner whose covered type has no RRset here.
        var orphanSignatures: [Int] = []
    }

    /// An RRset as ranges of `order`: its records (duplicates removed) and its RRSIGs.
    struct PackedSet: Sendable {
        var name: Int32
        var type: RecordType
        var records: Range<Int>
        var signatures: Range<Int>
    }

    let origin: DomainName
    let file: String
    let store: RecordStore
    /// Row numbers of the store in canonical order, duplicates of an RRset removed.
    private(set) var order: [UInt32] = []
    private(set) var names: [Name] = []
    private(set) var packedSets: [PackedSet] = []
    /// Index into `names` by owner.
    private(set) var nameIndex: [DomainName: Int] = [:]
    private(set) var warnings: [String] = []
    /// NSEC and RRSIG records where the zone may have none, in canonical order of their owners.
    private(set) var misplaced: [MisplacedDNSSECRecord] = []

    init(store: RecordStore, origin: DomainName, file: String) {
        self.origin = origin
        self.file = file
        self.store = store
        let rows = store.rows
        // Rank the owner names in canonical order, comparing precomputed keys kept in one arena; ids of
        // the same name (written in two places of the file) get the same rank.
        var keyBytes: [UInt8] = []
        keyBytes.reserveCapacity(store.owners.reduce(0) { $0 + $1.wire.count } + 64)
        var keyStart: [UInt32] = [0]
        keyStart.reserveCapacity(store.owners.count + 1)
        for owner in store.owners {
            owner.appendCanonicalKey(to: &keyBytes)
            keyStart.append(UInt32(keyBytes.count))
        }
        var rank = [UInt32](repeating: 0, count: store.owners.count)
        keyBytes.withUnsafeBufferPointer { arena in
            func key(_ i: UInt32) -> UnsafeBufferPointer<UInt8> {
                UnsafeBufferPointer(rebasing: arena[Int(keyStart[Int(i)])..<Int(keyStart[Int(i) + 1])])
            }
            // Every key of a zone starts with the origin's labels: compare first the eight bytes after the
            // prefix all keys share, as one integer (missing bytes as 0, so a smaller integer is a smaller
            // key), and whole keys only when those are equal.
            guard !store.owners.isEmpty else { return }
            let first = key(0)
            var shared = first.count
            for i in 1..<UInt32(store.owners.count) {
                let other = key(i)
                var n = 0
                while n < shared, n < other.count, other[n] == first[n] { n += 1 }
                shared = n
            }
            var entries: [(word: UInt64, owner: UInt32)] = (0..<UInt32(store.owners.count)).map { i in
                let bytes = key(i)
                var word: UInt64 = 0
                for n in shared..<(shared + 8) { word = word << 8 | UInt64(n < bytes.count ? bytes[n] : 0) }
                return (word, i)
            }
            entries.sort { a, b in
                a.word != b.word ? a.word < b.word : key(a.owner).lexicographicallyPrecedes(key(b.owner))
            }
            var current: UInt32 = 0
            for (position, entry) in entries.enumerated() {
                if position > 0,
                    entries[position - 1].word != entry.word
                        || !key(entries[position - 1].owner).elementsEqual(key(entry.owner))
                {
                    current += 1
                }
                rank[Int(entry.owner)] = current
            }
        }
        keyBytes = []
        keyStart = []

        // Sort the records by owner rank, type and file position as one integer each, then the records
        // of each owner and type (an RRset, usually one or two records) by RDATA.
        var otherClass = 0
        var sorted = [UInt32]()
        sorted.reserveCapacity(rows.count)
        if rows.count < 1 << 24, store.owners.count < 1 << 24 {
            // Rank, type and row in one 64-bit integer (24, 16 and 24 bits: ranks are fewer than rows).
            var packed = [UInt64]()
            packed.reserveCapacity(rows.count)
            for (i, row) in rows.enumerated() {
                if row.recordClass != 1 {
                    otherClass += 1
                    continue
                }
                packed.append(UInt64(rank[Int(row.owner)]) << 40 | UInt64(row.type) << 24 | UInt64(i))
            }
            packed.sort()
            for value in packed { sorted.append(UInt32(truncatingIfNeeded: value & 0xFF_FFFF)) }
        } else {
            let keys = rows.map { UInt64(rank[Int($0.owner)]) << 16 | UInt64($0.type) }
            for (i, row) in rows.enumerated() {
                if row.recordClass != 1 {
                    otherClass += 1
                    continue
                }
                sorted.append(UInt32(i))
            }
            sorted.sort { keys[Int($0)] != keys[Int($1)] ? keys[Int($0)] < keys[Int($1)] : $0 < $1 }
        }
        store.bytes.withUnsafeBufferPointer { arena in
            // RDATA order as bytes (RFC 4034 §6.3), compared in the arena.
            func precedes(_ a: UInt32, _ b: UInt32) -> Bool {
                let x = rows[Int(a)]
                let y = rows[Int(b)]
                let common = Int(min(x.rdataLength, y.rdataLength))
                let order =
                    common == 0
                    ? 0 : memcmp(arena.baseAddress! + Int(x.rdataStart), arena.baseAddress! + Int(y.rdataStart), common)
                return order != 0 ? order < 0 : x.rdataLength < y.rdataLength
            }
            var runStart = 0
            while runStart < sorted.count {
                var runEnd = runStart + 1
                let first = rows[Int(sorted[runStart])]
                while runEnd < sorted.count, rank[Int(rows[Int(sorted[runEnd])].owner)] == rank[Int(first.owner)],
                    rows[Int(sorted[runEnd])].type == first.type
                {
                    runEnd += 1
                }
                if runEnd - runStart > 1 { sorted[runStart..<runEnd].sort(by: precedes) }
                runStart = runEnd
            }
        }

        // Zone cuts and DNAMEs first: a name's authority depends on its ancestors. By rank: bit 1 a
        // delegation (NS below the apex), bit 2 a DNAME.
        var cutKinds = [UInt8](repeating: 0, count: store.owners.count)
        var originHasDNAME = false
        for i in sorted
        where rows[Int(i)].type == RecordType.ns.rawValue || rows[Int(i)].type == RecordType.dname.rawValue {
            let ownerID = Int(rows[Int(i)].owner)
            let owner = store.owners[ownerID]
            guard owner.isSubdomain(of: origin) else { continue }
            if rows[Int(i)].type == RecordType.dname.rawValue {
                cutKinds[Int(rank[ownerID])] |= 2
                if owner == origin { originHasDNAME = true }
            } else if owner != origin {
                cutKinds[Int(rank[ownerID])] |= 1
            }
        }
        // The index by owner is built on another core meanwhile: every run of one rank in `sorted` whose
        // owner is in the zone becomes the next name, as the loop below makes them.
        final class IndexBox: @unchecked Sendable { var index: [DomainName: Int] = [:] }
        let indexBox = IndexBox()
        let indexing = DispatchGroup()
        DispatchQueue.global().async(group: indexing) { [store, origin, sorted, rank] in
            var index: [DomainName: Int] = [:]
            index.reserveCapacity(store.owners.count)
            let rows = store.rows
            var position = 0
            while position < sorted.count {
                let ownerID = rows[Int(sorted[position])].owner
                let nameRank = rank[Int(ownerID)]
                var end = position + 1
                while end < sorted.count, rank[Int(rows[Int(sorted[end])].owner)] == nameRank { end += 1 }
                let owner = store.owners[Int(ownerID)]
                if owner.isSubdomain(of: origin) {
                    let number = index.count
                    index[owner] = number
                }
                position = end
            }
            indexBox.index = index
        }
        var outside = 0
        var position = 0
        var kept: [UInt32] = []
        kept.reserveCapacity(sorted.count)
        names.reserveCapacity(store.owners.count)
        // The zone cut or DNAME nearest the apex above the names being visited (RFC 4034 canonical
        // order puts a name's subtree right after it, so the one seen last decides while the names are
        // below it): below it nothing is the zone's, and a DNAME occludes even a cut at the same name.
        var topmostCut: (name: DomainName, below: NameAuthority)?
        // Per owner, reused: the RRSIGs by covered type (their RDATA starts with it, so they are sorted
        // so; a covered type whose RRset is found is taken out) and the other records by type.
        var signaturesByType: [(type: UInt16, positions: Range<Int>)] = []
        var typeRuns: [(type: UInt16, records: Range<Int>)] = []
        while position < sorted.count {
            let ownerID = rows[Int(sorted[position])].owner
            let nameRank = rank[Int(ownerID)]
            var end = position
            while end < sorted.count, rank[Int(rows[Int(sorted[end])].owner)] == nameRank { end += 1 }
            let owner = store.owners[Int(ownerID)]
            var authority: NameAuthority
            if !owner.isSubdomain(of: origin) {
                authority = .outOfZone
            } else if let cut = topmostCut, owner.isSubdomain(of: cut.name) {
                authority = cut.below
            } else {
                // No cut above: the owner's own records decide, for it and (as a cut) for its subtree.
                topmostCut = nil
                let kinds = cutKinds[Int(nameRank)]
                authority = kinds & 1 != 0 ? .delegation : .authoritative
                if kinds & 2 != 0 {
                    topmostCut = (owner, .occluded)
                } else if kinds & 1 != 0 {
                    topmostCut = (owner, .belowDelegation)
                }
            }
            if authority == .occluded, owner.parent == origin, originHasDNAME,
                (position..<end).allSatisfy({ k in
                    let row = rows[Int(sorted[k])]
                    return row.type == RecordType.nsec3.rawValue
                        || (row.type == RecordType.rrsig.rawValue
                            && store.coveredType(row) == RecordType.nsec3.rawValue)
                })
            {
                authority = .authoritative
            }
            if authority == .outOfZone {
                for k in position..<end {
                    let row = rows[Int(sorted[k])]
                    guard row.type == RecordType.nsec.rawValue || row.type == RecordType.rrsig.rawValue else {
                        continue
                    }
                    misplaced.append(
                        MisplacedDNSSECRecord(
                            owner: owner, type: RecordType(row.type),
                            covered: row.type == RecordType.rrsig.rawValue
                                ? store.coveredType(row).map { RecordType($0) } : nil,
                            authority: authority, line: Int(row.line), file: store.file(row)))
                }
                outside += end - position
                position = end
                continue
            }
            let nameNumber = names.count
            var name = Name(owner: owner, authority: authority, rrsets: packedSets.count..<packedSets.count)
            signaturesByType.removeAll(keepingCapacity: true)
            typeRuns.removeAll(keepingCapacity: true)
            var i = position
            while i < end {
                let type = rows[Int(sorted[i])].type
                var j = i
                let start = kept.count
                var previous: RecordStore.Row? = nil
                while j < end, rows[Int(sorted[j])].type == type {
                    // Duplicates (the same RDATA) are next to each other, sorted so; RRSIGs are all kept.
                    let row = rows[Int(sorted[j])]
                    if type == RecordType.rrsig.rawValue || previous.map({ !store.sameRDATA($0, row) }) ?? true {
                        kept.append(sorted[j])
                    }
                    previous = row
                    j += 1
                }
                if type == RecordType.rrsig.rawValue {
                    var k = start
                    while k < kept.count {
                        let covered = store.coveredType(rows[Int(kept[k])])
                        var m = k
                        while m < kept.count, store.coveredType(rows[Int(kept[m])]) == covered { m += 1 }
                        if let covered {
                            signaturesByType.append((covered, k..<m))
                            if !Self.mustBeSigned(type: RecordType(covered), authority: authority)
                                || covered == RecordType.rrsig.rawValue
                            {
                                // RFC 4035 §2.2: no RRSIG over data the zone is not authoritative for, and
                                // none over RRSIG.
                                let row = rows[Int(kept[k])]
                                misplaced.append(
                                    MisplacedDNSSECRecord(
                                        owner: owner, type: .rrsig, covered: RecordType(covered), authority: authority,
                                        line: Int(row.line), file: store.file(row)))
                            }
                        } else {
                            warnings.append("malformed RRSIG at \(owner.text) ignored")
                        }
                        k = m
                    }
                } else {
                    typeRuns.append((type, start..<kept.count))
                }
                i = j
            }
            if authority == .belowDelegation || authority == .occluded,
                let run = typeRuns.first(where: { $0.type == RecordType.nsec.rawValue })
            {
                let row = rows[Int(kept[run.records.lowerBound])]
                misplaced.append(
                    MisplacedDNSSECRecord(
                        owner: owner, type: .nsec, covered: nil, authority: authority, line: Int(row.line),
                        file: store.file(row)))
            }
            for run in typeRuns {
                var signatures = kept.count..<kept.count
                if let k = signaturesByType.firstIndex(where: { $0.type == run.type }) {
                    signatures = signaturesByType.remove(at: k).positions
                }
                packedSets.append(
                    PackedSet(
                        name: Int32(nameNumber), type: RecordType(run.type), records: run.records,
                        signatures: signatures))
                let firstTTL = rows[Int(kept[run.records.lowerBound])].ttl
                if run.records.contains(where: { rows[Int(kept[$0])].ttl != firstTTL }) {
                    let row = rows[Int(kept[run.records.lowerBound])]
                    warnings.append(
                        "\(store.file(row)):\(row.line): the \(RecordType(run.type)) RRset of \(owner.text) has "
                            + "records with different TTLs")
                }
            }
            name.rrsets = name.rrsets.lowerBound..<packedSets.count
            if !signaturesByType.isEmpty {
                name.orphanSignatures = signaturesByType.flatMap { Array($0.positions) }.sorted()
            }
            names.append(name)
            position = end
        }
        indexing.wait()
        nameIndex = indexBox.index
        order = kept
        if outside > 0 { warnings.append("\(outside) records outside \(origin.text) were ignored") }
        if otherClass > 0 { warnings.append("\(otherClass) records of a class other than IN were ignored") }
    }

    /// The RRsets, each built from the packed store when it is read.
    var rrsets: RRsetList { RRsetList(zone: self) }

    struct RRsetList: RandomAccessCollection, Sendable {
        let zone: ZoneStructure
        var startIndex: Int { 0 }
        var endIndex: Int { zone.packedSets.count }
        subscript(position: Int) -> ResourceRecordSet { zone.materialise(position) }
    }

    /// The number of RRSIGs covering RRset `index`.
    func signatureCount(of index: Int) -> Int { packedSets[index].signatures.count }

    func type(of index: Int) -> RecordType { packedSets[index].type }

    func name(of index: Int) -> Name { names[Int(packedSets[index].name)] }

    /// The authority of RRset `index`'s name, read without copying the name (loops over every RRset
    /// ask it).
    func authority(of index: Int) -> NameAuthority { names[Int(packedSets[index].name)].authority }

    /// The RRSIG at position `position` of `order`, decoded.
    func signature(at position: Int) -> SignatureRecord? {
        let row = store.rows[Int(order[position])]
        guard let data = RRSIGData(Array(store.rdata(row))) else { return nil }
        return SignatureRecord(data: data, line: Int(row.line), file: store.file(row))
    }

    /// The Original TTL field of the RRSIG at position `position` of `order`, read in place.
    func originalTTL(at position: Int) -> UInt32? {
        let rdata = store.rdata(store.rows[Int(order[position])])
        guard rdata.count >= 8 else { return nil }
        let i = rdata.startIndex + 4
        return UInt32(rdata[i]) << 24 | UInt32(rdata[i + 1]) << 16 | UInt32(rdata[i + 2]) << 8 | UInt32(rdata[i + 3])
    }

    /// The canonical RDATA of record `member` of RRset `index`, in place.
    func rdata(of index: Int, member: Int) -> ArraySlice<UInt8> {
        store.rdata(store.rows[Int(order[packedSets[index].records.lowerBound + member])])
    }

    func materialise(_ index: Int) -> ResourceRecordSet {
        let packed = packedSets[index]
        let rows = store.rows
        let first = rows[Int(order[packed.records.lowerBound])]
        return ResourceRecordSet(
            owner: names[Int(packed.name)].owner, type: packed.type, recordClass: first.recordClass, ttl: first.ttl,
            rdatas: packed.records.map { Array(store.rdata(rows[Int(order[$0])])) }, line: Int(first.line),
            file: store.file(first), signatures: packed.signatures.compactMap(signature(at:)))
    }

    /// The RRset of `type` at `owner`, if the zone has one.
    func rrset(_ owner: DomainName, _ type: RecordType) -> ResourceRecordSet? {
        rrsetIndex(owner, type).map(materialise)
    }

    func rrsetIndex(_ owner: DomainName, _ type: RecordType) -> Int? {
        guard let n = nameIndex[owner] else { return nil }
        return names[n].rrsets.first { packedSets[$0].type == type }
    }

    /// Whether RRset `index` must carry signatures: authoritative data, and at a delegation only DS and NSEC.
    func mustBeSigned(_ index: Int) -> Bool {
        mustBeSigned(type: packedSets[index].type, authority: authority(of: index))
    }

    func mustBeSigned(type: RecordType, authority: NameAuthority) -> Bool {
        Self.mustBeSigned(type: type, authority: authority)
    }

    static func mustBeSigned(type: RecordType, authority: NameAuthority) -> Bool {
        switch authority {
        case .authoritative: true
        case .delegation: type == .ds || type == .nsec
        case .belowDelegation, .occluded, .outOfZone: false
        }
    }

    /// The zone keys at the apex (DNSKEYs with the Zone Key flag and protocol 3).
    var apexKeys: [DNSKEYData] {
        guard let set = rrset(origin, .dnskey) else { return [] }
        return set.rdatas.compactMap(DNSKEYData.init).filter { $0.isZoneKey && $0.proto == 3 }
    }
}
