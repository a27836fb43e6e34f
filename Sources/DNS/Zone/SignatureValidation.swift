import Foundation

/// What became of one RRSIG, in 16 bytes: a zone of millions of signatures keeps one of these per
/// signature and decodes the RRSIG again only for the few that become findings.
struct CompactVerdict: Sendable {
    enum Outcome: UInt8, Sendable {
        case valid
        /// A matching apex key exists but the signature does not verify with it.
        case invalid
        /// The Labels field is larger than the owner name has labels.
        case badLabels
        /// No apex zone key has this key tag and algorithm, or the signer is not the apex.
        case noKey
        /// libldns cannot check the algorithm.
        case unsupported
    }

    var outcome: Outcome
    var window: SignatureVerdict.Window
    var algorithm: UInt8
    var keyTag: UInt16
    /// Seconds from now to the expiration (negative once expired).
    var secondsToExpiry: Int64

    var isValidNow: Bool { outcome == .valid && window == .current }
    var isByZoneKey: Bool { outcome != .noKey }
}

/// What became of one RRSIG, decoded for a check that reports it.
struct SignatureVerdict: Sendable {
    enum Cryptography: Sendable, Equatable {
        /// Verified with this apex key.
        case valid(keyTag: UInt16)
        /// A matching apex key exists but the signature does not verify with it.
        case invalid(reason: String)
        /// No apex zone key has this key tag and algorithm, or the signer is not the apex.
        case noKey
        /// libldns cannot check the algorithm.
        case unsupported
    }

    enum Window: UInt8, Sendable, Equatable {
        case current
        case expired
        case notYetValid
    }

    var rrset: Int
    var signature: SignatureRecord
    var cryptography: Cryptography
    var window: Window
    var secondsToExpiry: Int64

    var isValidNow: Bool {
        if case .valid = cryptography, window == .current { return true }
        return false
    }

    var isByZoneKey: Bool { cryptography != .noKey }

    init(rrset: Int, signature: SignatureRecord, compact: CompactVerdict) {
        self.rrset = rrset
        self.signature = signature
        window = compact.window
        secondsToExpiry = compact.secondsToExpiry
        switch compact.outcome {
        case .valid: cryptography = .valid(keyTag: compact.keyTag)
        case .invalid: cryptography = .invalid(reason: "the signature does not verify with the key")
        case .badLabels:
            cryptography = .invalid(
                reason: "its Labels field (\(signature.data.labels)) is larger than the owner name has labels")
        case .noKey: cryptography = .noKey
        case .unsupported: cryptography = .unsupported
        }
    }
}

/// The verdicts of every RRSIG of a zone: for RRset `i`, `verdicts[start[i] ..< start[i] + count]`.
struct ZoneVerdicts: Sendable {
    var verdicts: [CompactVerdict]
    var start: [Int32]

    func of(_ rrset: Int, count: Int) -> ArraySlice<CompactVerdict> {
        let first = Int(start[rrset])
        return verdicts[first..<(first + count)]
    }
}

/// Verifies every RRSIG of the zone's RRsets against the apex keys, on all cores: each RRset's
/// canonical form is built once and its signatures checked; RRsets are independent, and signature
/// checks are nearly all of a large zone's cost.
enum SignatureValidation {
    static func validate(_ zone: ZoneStructure, clock: SerialTime) -> ZoneVerdicts {
        let keys = zone.apexKeys
        let verifier = ZoneSignatureVerifier(keys: keys)
        var start = [Int32](repeating: 0, count: zone.packedSets.count)
        var total = 0
        for i in zone.packedSets.indices {
            start[i] = Int32(total)
            total += zone.packedSets[i].signatures.count
        }
        let placeholder = CompactVerdict(outcome: .noKey, window: .current, algorithm: 0, keyTag: 0, secondsToExpiry: 0)
        var verdicts = [CompactVerdict](repeating: placeholder, count: total)
        let setCount = zone.packedSets.count
        let chunk = 512
        let chunks = (setCount + chunk - 1) / chunk
        let starts = start
        verdicts.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let output = buffer
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                for i in (c * chunk)..<min(setCount, (c + 1) * chunk) where !zone.packedSets[i].signatures.isEmpty {
                    validate(set: i, zone: zone, keys: keys, verifier: verifier, clock: clock) { offset, verdict in
                        output[Int(starts[i]) + offset] = verdict
                    }
                }
            }
        }
        return ZoneVerdicts(verdicts: verdicts, start: start)
    }

    private static func validate(
        set index: Int, zone: ZoneStructure, keys: [DNSKEYData], verifier: ZoneSignatureVerifier, clock: SerialTime,
        record: (Int, CompactVerdict) -> Void
    ) {
        let packed = zone.packedSets[index]
        let owner = zone.names[Int(packed.name)].owner
        let rows = zone.store.rows
        let recordClass = rows[Int(zone.order[packed.records.lowerBound])].recordClass
        for (offset, position) in packed.signatures.enumerated() {
            guard let sig = zone.signature(at: position)?.data else {
                record(
                    offset,
                    CompactVerdict(outcome: .noKey, window: .current, algorithm: 0, keyTag: 0, secondsToExpiry: 0))
                continue
            }
            let left = clock.secondsUntil(sig.expiration)
            let window: SignatureVerdict.Window =
                left < 0 ? .expired : (clock.secondsUntil(sig.inception) > 0 ? .notYetValid : .current)
            var verdict = CompactVerdict(
                outcome: .noKey, window: window, algorithm: sig.algorithm, keyTag: sig.keyTag, secondsToExpiry: left)
            let candidates = keys.filter { $0.algorithm == sig.algorithm && $0.keyTag == sig.keyTag }
            if sig.signer == zone.origin, !candidates.isEmpty {
                if let data = signedData(
                    owner: owner, type: packed.type, recordClass: recordClass,
                    rdatas: packed.records.lazy.map { zone.store.rdata(rows[Int(zone.order[$0])]) }, sig)
                {
                    verdict.outcome = .invalid
                    for key in candidates {
                        switch verifier.verify(signature: sig.signature, signedData: data, key: key) {
                        case .valid: verdict.outcome = .valid
                        case .unsupported: verdict.outcome = .unsupported
                        case .invalid: break
                        }
                        if verdict.outcome == .valid { break }
                    }
                } else {
                    verdict.outcome = .badLabels
                }
            }
            record(offset, verdict)
        }
    }

    /// RFC 4034 §3.1.8.1: the RRSIG RDATA without its signature, then each RR of the set in canonical
    /// order with the original TTL, its owner rebuilt as a wildcard when the signature's Labels field
    /// says it was synthesised from one (RFC 4035 §5.3.2).
    static func signedData<C: Collection>(
        owner setOwner: DomainName, type: RecordType, recordClass: UInt16, rdatas: C, _ sig: RRSIGData
    ) -> [UInt8]? where C.Element == ArraySlice<UInt8> {
        let ownerLabels = setOwner.labelCount
        guard Int(sig.labels) <= ownerLabels else { return nil }
        let owner = Int(sig.labels) < ownerLabels ? setOwner.suffix(labels: Int(sig.labels)).wildcardChild : setOwner
        var data = Array(sig.signedPrefix)
        let fixed: [UInt8] = [
            UInt8(type.rawValue >> 8), UInt8(type.rawValue & 0xFF),
            UInt8(recordClass >> 8), UInt8(recordClass & 0xFF),
            UInt8(sig.originalTTL >> 24), UInt8((sig.originalTTL >> 16) & 0xFF),
            UInt8((sig.originalTTL >> 8) & 0xFF), UInt8(sig.originalTTL & 0xFF),
        ]
        data.reserveCapacity(data.count + rdatas.reduce(0) { $0 + owner.wire.count + 10 + $1.count })
        for rdata in rdatas {
            data += owner.wire
            data += fixed
            data.append(UInt8(rdata.count >> 8))
            data.append(UInt8(rdata.count & 0xFF))
            data += rdata
        }
        return data
    }
}
