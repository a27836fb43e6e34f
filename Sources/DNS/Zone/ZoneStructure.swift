/// How much of a name's data the zone is authoritative for, which decides what must be signed
/// (RFC 4035 §2.2): everything at and below the apex, except that at a delegation point only DS and
/// NSEC are the parent's, and names below a delegation (glue, occluded data) are not the zone's at all.
enum NameAuthority: Sendable, Equatable {
    case authoritative
    case delegation
    case belowDelegation
    case outOfZone
}

/// One RRSIG record, decoded, with where it came from.
struct SignatureRecord: Sendable {
    var data: RRSIGData
    var line: Int
    var file: String
}

/// The records of one owner, type and class: the unit DNSSEC signs.
struct ResourceRecordSet: Sendable {
    var owner: DomainName
    var type: RecordType
    var recordClass: UInt16
    var ttl: UInt32
    /// Canonical RDATA, sorted and without duplicates (RFC 4034 §6.3).
    var rdatas: [[UInt8]]
    var line: Int
    var file: String
    var signatures: [SignatureRecord] = []
}

/// A zone organised for DNSSEC checks: names in canonical order, their RRsets and signatures, the
/// apex keys and what the zone is authoritative for.
struct ZoneStructure: Sendable {
    struct Name: Sendable {
        var owner: DomainName
        var authority: NameAuthority
        /// Indices into `rrsets`, ordered by type.
        var rrsets: [Int]
        /// RRSIGs at this owner whose covered type has no RRset here.
        var orphanSignatures: [SignatureRecord] = []
    }

    let origin: DomainName
    let file: String
    var names: [Name] = []
    var rrsets: [ResourceRecordSet] = []
    /// Index into `names` by owner.
    var nameIndex: [DomainName: Int] = [:]
    var warnings: [String] = []

    init(records: [ZoneRecord], origin: DomainName, file: String) {
        self.origin = origin
        self.file = file
        var byOwner: [DomainName: [Int]] = [:]
        var ownerOrder: [DomainName] = []
        var outside = 0
        var otherClass = 0
        for (i, record) in records.enumerated() {
            if record.recordClass != 1 {
                otherClass += 1
                continue
            }
            if byOwner[record.owner] == nil {
                ownerOrder.append(record.owner)
                byOwner[record.owner] = [i]
            } else {
                byOwner[record.owner]!.append(i)
            }
        }
        // Canonical order of owners, sorting precomputed keys rather than walking labels each time.
        let keyed = ownerOrder.map { ($0.canonicalKey, $0) }.sorted { $0.0.lexicographicallyPrecedes($1.0) }

        let delegations = Set(
            keyed.lazy.map(\.1).filter { owner in
                owner != origin && owner.isSubdomain(of: origin)
                    && byOwner[owner]!.contains { records[$0].type == .ns }
            })

        for (_, owner) in keyed {
            let authority = Self.authority(of: owner, origin: origin, delegations: delegations)
            if authority == .outOfZone {
                outside += byOwner[owner]!.count
                continue
            }
            var byType: [RecordType: [Int]] = [:]
            var signatures: [RecordType: [SignatureRecord]] = [:]
            for i in byOwner[owner]! {
                let record = records[i]
                if record.type == .rrsig {
                    guard let data = RRSIGData(record.rdata) else {
                        warnings.append("\(record.file):\(record.line): malformed RRSIG ignored")
                        continue
                    }
                    signatures[data.typeCovered, default: []].append(
                        SignatureRecord(data: data, line: record.line, file: record.file))
                } else {
                    byType[record.type, default: []].append(i)
                }
            }
            var name = Name(owner: owner, authority: authority, rrsets: [])
            for type in byType.keys.sorted() {
                let members = byType[type]!
                let first = records[members[0]]
                var rdatas = members.map { records[$0].rdata }
                rdatas.sort { $0.lexicographicallyPrecedes($1) }
                var unique: [[UInt8]] = []
                unique.reserveCapacity(rdatas.count)
                for rdata in rdatas where unique.last != rdata { unique.append(rdata) }
                if members.contains(where: { records[$0].ttl != first.ttl }) {
                    warnings.append(
                        "\(first.file):\(first.line): the \(type) RRset of \(owner.text) has records with different TTLs"
                    )
                }
                var set = ResourceRecordSet(
                    owner: owner, type: type, recordClass: first.recordClass, ttl: first.ttl, rdatas: unique,
                    line: first.line, file: first.file)
                set.signatures = signatures.removeValue(forKey: type) ?? []
                name.rrsets.append(rrsets.count)
                rrsets.append(set)
            }
            name.orphanSignatures = signatures.keys.sorted().flatMap { signatures[$0]! }
            nameIndex[owner] = names.count
            names.append(name)
        }
        if outside > 0 {
            warnings.append("\(outside) records outside \(origin.text) were ignored")
        }
        if otherClass > 0 {
            warnings.append("\(otherClass) records of a class other than IN were ignored")
        }
    }

    private static func authority(of owner: DomainName, origin: DomainName, delegations: Set<DomainName>)
        -> NameAuthority
    {
        guard owner.isSubdomain(of: origin) else { return .outOfZone }
        if owner == origin { return .authoritative }
        var ancestor = owner.parent
        while let current = ancestor, current != origin {
            if delegations.contains(current) { return .belowDelegation }
            ancestor = current.parent
        }
        return delegations.contains(owner) ? .delegation : .authoritative
    }

    /// The RRset of `type` at `owner`, if the zone has one.
    func rrset(_ owner: DomainName, _ type: RecordType) -> ResourceRecordSet? {
        guard let n = nameIndex[owner] else { return nil }
        for i in names[n].rrsets where rrsets[i].type == type { return rrsets[i] }
        return nil
    }

    /// Whether the RRset must carry signatures: authoritative data, and at a delegation only DS and NSEC.
    func mustBeSigned(_ set: ResourceRecordSet, authority: NameAuthority) -> Bool {
        switch authority {
        case .authoritative: true
        case .delegation: set.type == .ds || set.type == .nsec
        case .belowDelegation, .outOfZone: false
        }
    }

    /// The zone keys at the apex (DNSKEYs with the Zone Key flag and protocol 3).
    var apexKeys: [DNSKEYData] {
        guard let set = rrset(origin, .dnskey) else { return [] }
        return set.rdatas.compactMap(DNSKEYData.init).filter { $0.isZoneKey && $0.proto == 3 }
    }
}
