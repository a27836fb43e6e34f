import Dispatch
import Findings

/// `dns.dnssec-nsec-chain`: the records that prove non-existence. With NSEC (RFC 4034 §4) every
/// authoritative name and delegation has one NSEC naming the next name in canonical order, the last
/// pointing back to the apex, with a type bitmap of exactly the types at the name. With NSEC3
/// (RFC 5155 §7.1) every such name and every empty non-terminal has an NSEC3 at its hash, the hashes
/// form one sorted ring, all share the NSEC3PARAM parameters, and bitmaps list the name's types.
///
/// Worked examples the logic must get right (zone `example.com`, names apex, `a.b.c`, `sub` (a
/// delegation with glue `ns.sub`), `www`):
/// - NSEC: apex → a.b.c → sub → www → apex. `ns.sub` is glue and has no NSEC; the bitmap at `sub` is
///   `NS DS RRSIG NSEC` (or `NS RRSIG NSEC` without DS), never the glue's A.
/// - NSEC3: hashes of apex, `a.b.c`, `b.c`, `c` (the last two empty non-terminals, bitmap empty),
///   `sub`, `www`; opt-out lets an unsigned delegation (no DS) and the empty non-terminals leading only
///   to such delegations go without NSEC3.
enum NSECChain: ZoneCheck {
    static let readsVerdicts = false
    static let check = Check(
        id: "dns.dnssec-nsec-chain",
        title: "Broken NSEC or NSEC3 chain",
        rationale: "Validators check denial-of-existence answers against the NSEC/NSEC3 chain; a gap, a wrong "
            + "next name, a wrong type bitmap or mixed NSEC3 parameters makes negative answers bogus or lets "
            + "existing data be denied.",
        remediation: "Re-sign the whole zone so the signer rebuilds the chain, with one set of NSEC3 parameters.",
        defaultSeverity: .high
    )

    static func findings(in context: ZoneAnalysisContext) -> [Finding] {
        let zone = context.zone
        // An NSEC3PARAM with flags or an unknown hash algorithm is ignored (RFC 5155 §4.1.2): it does not
        // make an NSEC-signed zone need an NSEC3 chain.
        let hasNSEC3 =
            NSEC3PARAMData.of(zone).usable != nil || zone.packedSets.contains { $0.type == .nsec3 }
        if hasNSEC3 { return NSEC3ChainCheck(context: context).findings() }
        if zone.packedSets.contains(where: { $0.type == .nsec }) { return nsecFindings(context) }
        return [
            Finding(
                check: check, subject: context.origin.text,
                message: "The signed zone \(context.origin.text) has neither NSEC nor NSEC3 records: no negative "
                    + "answer from it can validate.",
                evidence: ["zone": .string(context.origin.text)],
                location: zone.rrset(context.origin, .soa).map(context.location(of:)))
        ]
    }

    /// The types an NSEC or NSEC3 bitmap must list at a name (RFC 4035 §2.3, RFC 5155 §7.1).
    static func expectedTypes(at name: ZoneStructure.Name, zone: ZoneStructure, denial: RecordType) -> Set<RecordType> {
        var types = Set<RecordType>()
        var signed = false
        for i in name.rrsets {
            let type = zone.type(of: i)
            if type == .nsec3 { continue }
            if name.authority == .delegation, type != .ns, type != .ds, type != .nsec { continue }
            types.insert(type)
            if zone.mustBeSigned(type: type, authority: name.authority) { signed = true }
        }
        if denial == .nsec {
            types.insert(.nsec)
            signed = true
        }
        if signed { types.insert(.rrsig) }
        return types
    }

    /// Whether `bitmap` is the canonical encoding of the types an NSEC3 bitmap must list at `name` (none
    /// at an empty non-terminal, `name` nil): the quick yes for the NSEC3 chain check, which decodes and
    /// compares the types (`expectedTypes`) only when this says no.
    static func bitmapIsCanonical(_ bitmap: ArraySlice<UInt8>, at name: ZoneStructure.Name?, zone: ZoneStructure)
        -> Bool
    {
        guard let name else { return bitmap.isEmpty }
        return withUnsafeTemporaryAllocation(of: UInt16.self, capacity: name.rrsets.count + 1) { types in
            // The RRsets of a name are ordered by type, one per type, and none is of type RRSIG.
            var count = 0
            var signed = false
            for i in name.rrsets {
                let type = zone.type(of: i)
                if type == .nsec3 { continue }
                if name.authority == .delegation, type != .ns, type != .ds, type != .nsec { continue }
                if zone.mustBeSigned(type: type, authority: name.authority) { signed = true }
                types[count] = type.rawValue
                count += 1
            }
            if signed {
                var k = count
                while k > 0, types[k - 1] > RecordType.rrsig.rawValue {
                    types[k] = types[k - 1]
                    k -= 1
                }
                types[k] = RecordType.rrsig.rawValue
                count += 1
            }
            return TypeBitmap.isCanonicalEncoding(of: UnsafeBufferPointer(rebasing: types[..<count]), bitmap)
        }
    }

    static func bitmapFinding(
        _ context: ZoneAnalysisContext, owner: DomainName, record: ResourceRecordSet, kind: String,
        found: Set<RecordType>, expected: Set<RecordType>
    ) -> Finding? {
        guard found != expected else { return nil }
        let missing = expected.subtracting(found).sorted().map(\.description)
        let extra = found.subtracting(expected).sorted().map(\.description)
        var parts: [String] = []
        if !missing.isEmpty { parts.append("leaves out \(missing.joined(separator: " "))") }
        if !extra.isEmpty { parts.append("lists \(extra.joined(separator: " ")) that \(owner.text) does not have") }
        return Finding(
            check: check, subject: owner.text,
            message: "The \(kind) type bitmap of \(owner.text) \(parts.joined(separator: " and ")).",
            evidence: [
                "owner": .string(owner.text), "problem": "type-bitmap", "missingTypes": .strings(missing),
                "extraTypes": .strings(extra), "record": .string(kind),
            ],
            location: context.location(of: record))
    }

    private static func nsecFindings(_ context: ZoneAnalysisContext) -> [Finding] {
        let zone = context.zone
        let members = zone.names.filter { $0.authority == .authoritative || $0.authority == .delegation }
        var findings: [Finding] = []
        for (position, name) in members.enumerated() {
            let expectedNext = members[(position + 1) % members.count].owner
            guard let set = name.rrsets.first(where: { zone.type(of: $0) == .nsec }).map(zone.materialise) else {
                findings.append(
                    Finding(
                        check: check, subject: name.owner.text,
                        message: "\(name.owner.text) has no NSEC record: the chain skips it, so its existence "
                            + "cannot be proven and the previous NSEC denies it.",
                        evidence: ["owner": .string(name.owner.text), "problem": "missing-nsec"],
                        location: name.rrsets.first.map { context.location(of: zone.materialise($0)) }))
                continue
            }
            guard set.rdatas.count == 1, let nsec = NSECData(set.rdatas[0]) else {
                findings.append(
                    Finding(
                        check: check, subject: name.owner.text,
                        message: "\(name.owner.text) has \(set.rdatas.count) NSEC records; a name has exactly one.",
                        evidence: ["owner": .string(name.owner.text), "problem": "several-nsec"],
                        location: context.location(of: set)))
                continue
            }
            if nsec.next != expectedNext {
                findings.append(
                    Finding(
                        check: check, subject: name.owner.text,
                        message: "The NSEC of \(name.owner.text) points to \(nsec.next.text), but the next name in "
                            + "the zone is \(expectedNext.text)",
                        evidence: [
                            "owner": .string(name.owner.text), "problem": "wrong-next-name",
                            "next": .string(nsec.next.text), "expectedNext": .string(expectedNext.text),
                        ],
                        location: context.location(of: set)))
            }
            if let finding = bitmapFinding(
                context, owner: name.owner, record: set, kind: "NSEC", found: nsec.types,
                expected: expectedTypes(at: name, zone: zone, denial: .nsec))
            {
                findings.append(finding)
            }
        }
        return findings
    }
}

/// The NSEC3 half of `dns.dnssec-nsec-chain`, kept apart because it needs the hashed view of the zone.
///
/// A large NSEC3 zone has one NSEC3 per name, so the work per name is kept to hashing its owner once
/// and a few comparisons: NSEC3 RDATA is read in place (`NSEC3Fields`), the chain is one array sorted
/// by hash and searched through a table of where each leading-bits bucket starts, names are marked by
/// their index in the zone rather than kept in sets, and a type bitmap that is the canonical encoding
/// of the expected types is accepted without decoding it (any other is decoded and compared as sets).
struct NSEC3ChainCheck {
    let context: ZoneAnalysisContext

    /// One NSEC3 of the chain, held inline: its record is decoded again only for a finding.
    struct Link {
        var hash: NSEC3Hash
        var nextHashed: NSEC3Hash
        var optOut: Bool
        /// The RRset and the record in it.
        var index: Int
        var member: Int
    }

    /// A name the chain must cover: a name of the zone (`node`, its index in `zone.names`) or an empty
    /// non-terminal above one (`node` nil).
    struct Covered {
        var owner: DomainName
        var node: Int?
    }

    func findings() -> [Finding] {
        let zone = context.zone
        let check = NSECChain.check
        var findings: [Finding] = []
        let nsec3param = NSEC3PARAMData.of(zone).usable
        let param = nsec3param?.parameters

        // Every NSEC3 record, by parameters (nearly always one set: kept in a short list, compared in place).
        var parameterSets: [NSEC3Parameters] = []
        var linksBySet: [[Link]] = []
        var lastSet = -1
        var isNSEC3Owner = [Bool](repeating: false, count: zone.names.count)
        for (nameIndex, name) in zone.names.enumerated() where name.authority == .authoritative {
            for i in name.rrsets where zone.type(of: i) == .nsec3 {
                isNSEC3Owner[nameIndex] = true
                guard name.owner.isChild(of: context.origin), let hash = Base32Hex.hash(firstLabelOf: name.owner)
                else {
                    findings.append(
                        Finding(
                            check: check, subject: name.owner.text,
                            message: "\(name.owner.text) carries an NSEC3 record but is not a hashed name directly "
                                + "below the apex.",
                            evidence: ["owner": .string(name.owner.text), "problem": "misplaced-nsec3"],
                            location: context.location(of: zone.materialise(i))))
                    continue
                }
                for member in 0..<zone.packedSets[i].records.count {
                    guard let fields = NSEC3Fields(zone.rdata(of: i, member: member)),
                        let next = NSEC3Hash(fields.nextHashed)
                    else { continue }
                    if lastSet < 0 || !fields.hasParameters(parameterSets[lastSet]) {
                        if let known = parameterSets.firstIndex(where: { fields.hasParameters($0) }) {
                            lastSet = known
                        } else {
                            parameterSets.append(fields.parameters)
                            linksBySet.append([])
                            lastSet = parameterSets.count - 1
                        }
                    }
                    linksBySet[lastSet].append(
                        Link(hash: hash, nextHashed: next, optOut: fields.optOut, index: i, member: member))
                }
            }
        }
        // The chain: NSEC3PARAM's parameters, else those of the most NSEC3 records (the first such set).
        var chainSet: Int? = param.flatMap { parameterSets.firstIndex(of: $0) }
        if param == nil, !parameterSets.isEmpty {
            chainSet = linksBySet.indices.max { a, b in
                linksBySet[a].count < linksBySet[b].count || (linksBySet[a].count == linksBySet[b].count && a > b)
            }
        }
        guard let chainParameters = param ?? chainSet.map({ parameterSets[$0] }) else { return findings }
        if parameterSets.count > 1 || (param != nil && chainSet == nil) {
            let order = parameterSets.indices.sorted { parameterSets[$0].description < parameterSets[$1].description }
            findings.append(
                Finding(
                    check: check, subject: context.origin.text,
                    message: "The zone's NSEC3 records use \(parameterSets.count) sets of parameters ("
                        + order.map { "\(parameterSets[$0]) ×\(linksBySet[$0].count)" }.joined(separator: ", ")
                        + "); NSEC3PARAM says \(nsec3param.map(\.description) ?? "nothing"). A chain has one set.",
                    evidence: [
                        "problem": "mixed-parameters",
                        "parameters": .strings(order.map { parameterSets[$0].description }),
                        "nsec3param": .optional(nsec3param?.description),
                    ],
                    location: zone.rrset(context.origin, .nsec3param).map(context.location(of:))))
        }
        let links = (chainSet.map { linksBySet[$0] } ?? []).sorted { $0.hash < $1.hash }
        linksBySet = []
        let optOut = links.contains { $0.optOut }
        let search = HashIndex(links)

        // The names the chain must cover: authoritative names, delegations, and the empty non-terminals
        // above them (nil node). Opt-out lets an insecure delegation go without an NSEC3; one that has
        // its own is covered, and so are the empty non-terminals above it (RFC 5155 §7.1: only those
        // derived from delegations covered by an opt-out NSEC3 may be left out; Knot agrees).
        var covered: [Covered] = []
        covered.reserveCapacity(zone.names.count)
        var emptyNonTerminals = Set<DomainName>()
        for (nameIndex, name) in zone.names.enumerated() where !isNSEC3Owner[nameIndex] {
            guard name.authority == .authoritative || name.authority == .delegation else { continue }
            let insecureDelegation =
                name.authority == .delegation && !name.rrsets.contains { zone.type(of: $0) == .ds }
            if insecureDelegation && optOut {
                let own = ZoneDigests.nsec3Hash(of: name.owner, parameters: chainParameters)
                guard let own, search.last(own) != nil else { continue }
            }
            covered.append(Covered(owner: name.owner, node: nameIndex))
            // Most names lie directly below the apex (or are it): no ancestor to look at.
            guard name.owner != context.origin, !name.owner.isChild(of: context.origin) else { continue }
            var ancestor = name.owner.parent
            while let current = ancestor, current != context.origin, current.isSubdomain(of: context.origin),
                zone.nameIndex[current] == nil, !emptyNonTerminals.contains(current)
            {
                emptyNonTerminals.insert(current)
                covered.append(Covered(owner: current, node: nil))
                ancestor = current.parent
            }
        }

        // A hash algorithm other than SHA-1 gives no hashes: nothing more can be said of the chain.
        if chainParameters.algorithm != 1, !covered.isEmpty { return findings }

        // Hashing every name and checking its bitmap is independent per name: done on all cores, in
        // chunks whose findings are joined in order. `found[k]` is the chain position of name k's hash.
        let chunkSize = 4096
        let chunkCount = (covered.count + chunkSize - 1) / chunkSize
        var chunkFindings = [[Finding]](repeating: [], count: chunkCount)
        var found = [Int32](repeating: -1, count: covered.count)
        let allCovered = covered
        let chain = links
        chunkFindings.withUnsafeMutableBufferPointer { findingsOut in
            found.withUnsafeMutableBufferPointer { foundOut in
                nonisolated(unsafe) let findingsOut = findingsOut
                nonisolated(unsafe) let foundOut = foundOut
                DispatchQueue.concurrentPerform(iterations: chunkCount) { c in
                    for k in (c * chunkSize)..<min(allCovered.count, (c + 1) * chunkSize) {
                        let entry = allCovered[k]
                        guard let hash = ZoneDigests.nsec3Hash(of: entry.owner, parameters: chainParameters) else {
                            continue
                        }
                        let position = search.last(hash)
                        if let position { foundOut[k] = Int32(position) }
                        if let finding = coverageFinding(
                            owner: entry.owner, node: entry.node, hash: hash, link: position.map { chain[$0] })
                        {
                            findingsOut[c].append(finding)
                        }
                    }
                }
            }
        }
        findings += chunkFindings.joined()
        // A link matches a name when its hash is some name's hash: the search gives the last link of
        // each run of equal hashes, so a run is marked there.
        var matched = [Bool](repeating: false, count: links.count)
        for position in found where position >= 0 { matched[Int(position)] = true }
        var runEnd = links.count - 1
        for position in stride(from: links.count - 1, through: 0, by: -1) {
            if position < links.count - 1, links[position].hash != links[position + 1].hash { runEnd = position }
            matched[position] = matched[runEnd]
        }

        for (position, link) in links.enumerated() {
            var owner: String { zone.name(of: link.index).owner.text }
            let next = links[(position + 1) % links.count].hash
            if link.nextHashed != next {
                findings.append(
                    Finding(
                        check: check, subject: owner,
                        message: "The NSEC3 at \(owner) points to \(link.nextHashed), but "
                            + "the next hash in the chain is \(next)",
                        evidence: [
                            "owner": .string(owner), "problem": "wrong-next-hash",
                            "next": .string(link.nextHashed.description),
                            "expectedNext": .string(next.description),
                        ],
                        location: context.location(of: zone.materialise(link.index))))
            }
            if !matched[position] && !link.optOut {
                findings.append(
                    Finding(
                        check: check, subject: owner,
                        message: "The NSEC3 at \(owner) matches no name of the zone.",
                        evidence: ["owner": .string(owner), "problem": "stray-nsec3"],
                        location: context.location(of: zone.materialise(link.index))))
            }
        }
        return findings
    }

    /// The finding for one name the chain must cover, whose hash is `hash`: no NSEC3 at that hash
    /// (`link` nil), or one whose type bitmap is not the name's types.
    private func coverageFinding(owner: DomainName, node: Int?, hash: NSEC3Hash, link: Link?) -> Finding? {
        let zone = context.zone
        let name = node.map { zone.names[$0] }
        guard let link else {
            let hashedName = hash.description + "." + context.origin.text
            let what = name == nil ? "the empty non-terminal \(owner.text)" : owner.text
            return Finding(
                check: NSECChain.check, subject: owner.text,
                message: "There is no NSEC3 for \(what) (hash \(hashedName)): validators cannot prove "
                    + "it exists, and the chain denies it.",
                evidence: [
                    "owner": .string(owner.text), "problem": "missing-nsec3",
                    "hashedOwner": .string(hashedName),
                    "emptyNonTerminal": .bool(name == nil),
                ],
                // An empty non-terminal has no line of its own: point at the NSEC3PARAM.
                location: (name.flatMap { $0.rrsets.first } ?? zone.rrsetIndex(context.origin, .nsec3param))
                    .map { context.location(of: zone.materialise($0)) })
        }
        let rdata = zone.rdata(of: link.index, member: link.member)
        if let fields = NSEC3Fields(rdata), NSECChain.bitmapIsCanonical(fields.bitmap, at: name, zone: zone) {
            return nil
        }
        let expected = name.map { NSECChain.expectedTypes(at: $0, zone: zone, denial: .nsec3) } ?? []
        let found = NSEC3Data(Array(rdata))?.types ?? []
        guard found != expected else { return nil }
        return NSECChain.bitmapFinding(
            context, owner: owner, record: zone.materialise(link.index), kind: "NSEC3", found: found,
            expected: expected)
    }

    /// The chain's positions by hash: links sorted by hash, and where each bucket of hashes with the
    /// same leading bits starts, so a search reads a bucket of a few links (a chain of any shape is
    /// still searched in logarithmic time: within a bucket the search halves).
    struct HashIndex: Sendable {
        let hashes: [NSEC3Hash]
        let shift: UInt64
        let starts: [Int32]

        init(_ links: [Link]) {
            hashes = links.map(\.hash)
            var bits: UInt64 = 1
            while bits < 20, 1 << bits < links.count { bits += 1 }
            shift = 64 - bits
            var starts = [Int32](repeating: 0, count: (1 << Int(bits)) + 1)
            for hash in hashes { starts[Int(hash.high >> (64 - bits)) + 1] += 1 }
            for b in 1..<starts.count { starts[b] += starts[b - 1] }
            self.starts = starts
        }

        /// The last position whose hash is `hash`, or nil.
        func last(_ hash: NSEC3Hash) -> Int? {
            let bucket = Int(hash.high >> shift)
            var low = Int(starts[bucket])
            var high = Int(starts[bucket + 1])
            // The first position in the bucket whose hash is above `hash`.
            while low < high {
                let middle = (low + high) / 2
                if hash < hashes[middle] { high = middle } else { low = middle + 1 }
            }
            return low > Int(starts[bucket]) && hashes[low - 1] == hash ? low - 1 : nil
        }
    }
}

/// A SHA-1 NSEC3 hash held inline (no heap storage), ordered as its bytes are: a large zone keeps one
/// per name.
struct NSEC3Hash: Hashable, Comparable, CustomStringConvertible {
    let high: UInt64
    let middle: UInt64
    let low: UInt32

    init?<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        guard bytes.count == 20 else { return nil }
        var high: UInt64 = 0
        var middle: UInt64 = 0
        var low: UInt32 = 0
        for (i, b) in bytes.enumerated() {
            switch i {
            case 0..<8: high = high << 8 | UInt64(b)
            case 8..<16: middle = middle << 8 | UInt64(b)
            default: low = low << 8 | UInt32(b)
            }
        }
        self.high = high
        self.middle = middle
        self.low = low
    }

    init(high: UInt64, middle: UInt64, low: UInt32) {
        self.high = high
        self.middle = middle
        self.low = low
    }

    var bytes: [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: high >> (56 - 8 * $0)) }
            + (0..<8).map { UInt8(truncatingIfNeeded: middle >> (56 - 8 * $0)) }
            + (0..<4).map { UInt8(truncatingIfNeeded: low >> (24 - 8 * $0)) }
    }

    static func < (a: NSEC3Hash, b: NSEC3Hash) -> Bool { (a.high, a.middle, a.low) < (b.high, b.middle, b.low) }

    /// Base32hex, as an NSEC3 owner label spells it.
    var description: String { Base32Hex.encode(bytes) }
}

/// Base32 with the extended hex alphabet (RFC 4648 §7), the spelling of NSEC3 hashes, no padding.
enum Base32Hex {
    private static let alphabet = Array("0123456789abcdefghijklmnopqrstuv".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        var buffer: UInt64 = 0
        var bits = 0
        for b in bytes {
            buffer = buffer << 8 | UInt64(b)
            bits += 8
            while bits >= 5 {
                out.append(alphabet[Int((buffer >> UInt64(bits - 5)) & 31)])
                bits -= 5
            }
        }
        if bits > 0 { out.append(alphabet[Int((buffer << UInt64(5 - bits)) & 31)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// The NSEC3 hash the first label of `name` spells (`decode` giving 20 bytes), decoded in place.
    static func hash(firstLabelOf name: DomainName) -> NSEC3Hash? {
        var high: UInt64 = 0
        var middle: UInt64 = 0
        var low: UInt32 = 0
        var count = 0
        let spelled = decodeBytes(firstLabelOf: name) { byte in
            switch count {
            case 0..<8: high = high << 8 | UInt64(byte)
            case 8..<16: middle = middle << 8 | UInt64(byte)
            case 16..<20: low = low << 8 | UInt32(byte)
            default: return false
            }
            count += 1
            return true
        }
        guard spelled, count == 20 else { return nil }
        return NSEC3Hash(high: high, middle: middle, low: low)
    }

    /// The bytes the first label of `name` spells, or nil when it is not base32hex.
    static func decode(firstLabelOf name: DomainName) -> [UInt8]? {
        var out: [UInt8] = []
        guard
            decodeBytes(
                firstLabelOf: name,
                { byte in
                    out.append(byte)
                    return true
                })
        else { return nil }
        return out
    }

    /// Hands each byte the first label of `name` spells in base32hex to `take`, in order: false
    /// when the label is empty or not base32hex, or when `take` refuses a byte.
    @inline(__always)
    private static func decodeBytes(firstLabelOf name: DomainName, _ take: (UInt8) -> Bool) -> Bool {
        guard let length = name.wire.first, length > 0 else { return false }
        var buffer: UInt64 = 0
        var bits = 0
        for c in name.wire[1...Int(length)] {
            let value: UInt8
            switch c {
            case 48...57: value = c - 48
            case 97...118: value = c - 97 + 10
            default: return false
            }
            buffer = buffer << 5 | UInt64(value)
            bits += 5
            if bits >= 8 {
                guard take(UInt8((buffer >> UInt64(bits - 8)) & 0xFF)) else { return false }
                bits -= 8
            }
        }
        return true
    }
}
