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
/// checks are nearly all of a large zone's cost. The loop reads RRSIGs and records where they lie in
/// the record store and builds the signed data in one buffer per thread, so the work per signature
/// beyond the cryptography allocates nothing.
enum SignatureValidation {
    static func validate(_ zone: ZoneStructure, clock: SerialTime) -> ZoneVerdicts {
        let verifier = ZoneSignatureVerifier(keys: zone.apexKeys)
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
            zone.store.bytes.withUnsafeBufferPointer { arena in
                nonisolated(unsafe) let arena = arena
                DispatchQueue.concurrentPerform(iterations: chunks) { c in
                    var checker = SetChecker(zone: zone, arena: arena, session: verifier.makeSession(), clock: clock)
                    for i in (c * chunk)..<min(setCount, (c + 1) * chunk) where !zone.packedSets[i].signatures.isEmpty {
                        checker.check(set: i) { offset, verdict in output[Int(starts[i]) + offset] = verdict }
                    }
                }
            }
        }
        return ZoneVerdicts(verdicts: verdicts, start: start)
    }
}

/// One thread's checking of RRsets: its verification session and signed-data buffer.
private struct SetChecker {
    let zone: ZoneStructure
    /// The record store's bytes.
    let arena: UnsafeBufferPointer<UInt8>
    let rows: [RecordStore.Row]
    let session: ZoneSignatureVerifier.Session
    let clock: SerialTime
    var signedData: [UInt8] = []

    init(
        zone: ZoneStructure, arena: UnsafeBufferPointer<UInt8>, session: ZoneSignatureVerifier.Session,
        clock: SerialTime
    ) {
        self.zone = zone
        self.arena = arena
        rows = zone.store.rows
        self.session = session
        self.clock = clock
        signedData.reserveCapacity(4096)
    }

    func rdata(_ position: Int) -> UnsafeBufferPointer<UInt8> {
        let row = rows[Int(zone.order[position])]
        let first = Int(row.rdataStart)
        return UnsafeBufferPointer(rebasing: arena[first..<(first + Int(row.rdataLength))])
    }

    mutating func check(set index: Int, record: (Int, CompactVerdict) -> Void) {
        let packed = zone.packedSets[index]
        let owner = zone.names[Int(packed.name)].owner
        let ownerLabels = owner.labelCount
        let recordClass = rows[Int(zone.order[packed.records.lowerBound])].recordClass
        let keys = session.keys
        for (offset, position) in packed.signatures.enumerated() {
            guard let sig = RRSIGFields(rdata(position)) else {
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
            let hasCandidate = keys.contains { $0.algorithm == sig.algorithm && $0.keyTag == sig.keyTag }
            if hasCandidate, sig.signerIs(zone.origin) {
                if Int(sig.labels) > ownerLabels {
                    verdict.outcome = .badLabels
                } else {
                    // RFC 4035 §5.3.2: an answer synthesised from a wildcard is signed over the wildcard.
                    let signedOwner =
                        Int(sig.labels) < ownerLabels ? owner.suffix(labels: Int(sig.labels)).wildcardChild : owner
                    buildSignedData(
                        sig, owner: signedOwner, type: packed.type, recordClass: recordClass, packed.records)
                    verdict.outcome = .invalid
                    for keyIndex in keys.indices
                    where keys[keyIndex].algorithm == sig.algorithm && keys[keyIndex].keyTag == sig.keyTag {
                        let outcome = signedData.withUnsafeBufferPointer {
                            session.verify(signature: sig.signature, signedData: $0, keyIndex: keyIndex)
                        }
                        switch outcome {
                        case .valid: verdict.outcome = .valid
                        case .unsupported: verdict.outcome = .unsupported
                        case .invalid: break
                        }
                        if verdict.outcome == .valid { break }
                    }
                }
            }
            record(offset, verdict)
        }
    }

    /// RFC 4034 §3.1.8.1: the RRSIG RDATA without its signature, then each RR of the set in canonical
    /// order with the original TTL.
    private mutating func buildSignedData(
        _ sig: RRSIGFields, owner: DomainName, type: RecordType, recordClass: UInt16, _ records: Range<Int>
    ) {
        signedData.removeAll(keepingCapacity: true)
        signedData.append(contentsOf: sig.signedPrefix)
        for position in records {
            let rdata = rdata(position)
            signedData.append(contentsOf: owner.wire)
            signedData.append(UInt8(type.rawValue >> 8))
            signedData.append(UInt8(type.rawValue & 0xFF))
            signedData.append(UInt8(recordClass >> 8))
            signedData.append(UInt8(recordClass & 0xFF))
            signedData.append(UInt8(sig.originalTTL >> 24))
            signedData.append(UInt8((sig.originalTTL >> 16) & 0xFF))
            signedData.append(UInt8((sig.originalTTL >> 8) & 0xFF))
            signedData.append(UInt8(sig.originalTTL & 0xFF))
            signedData.append(UInt8(rdata.count >> 8))
            signedData.append(UInt8(rdata.count & 0xFF))
            signedData.append(contentsOf: rdata)
        }
    }
}

/// The fields of an RRSIG's RDATA (RFC 4034 §3.1) read in place, for the verification loop; `RRSIGData`
/// is the copying form the checks use.
private struct RRSIGFields {
    let algorithm: UInt8
    let labels: UInt8
    let originalTTL: UInt32
    let expiration: UInt32
    let inception: UInt32
    let keyTag: UInt16
    /// The signer's name, as stored.
    let signer: UnsafeBufferPointer<UInt8>
    let signedPrefix: UnsafeBufferPointer<UInt8>
    let signature: UnsafeBufferPointer<UInt8>

    /// Nil when the RDATA is too short or the signer's name is malformed, as `RRSIGData` judges.
    init?(_ rdata: UnsafeBufferPointer<UInt8>) {
        guard rdata.count >= 19 else { return nil }
        func u32(_ i: Int) -> UInt32 {
            UInt32(rdata[i]) << 24 | UInt32(rdata[i + 1]) << 16 | UInt32(rdata[i + 2]) << 8 | UInt32(rdata[i + 3])
        }
        algorithm = rdata[2]
        labels = rdata[3]
        originalTTL = u32(4)
        expiration = u32(8)
        inception = u32(12)
        keyTag = UInt16(rdata[16]) << 8 | UInt16(rdata[17])
        var i = 18
        while true {
            guard i < rdata.count else { return nil }
            let length = Int(rdata[i])
            guard length < 64, i + length < rdata.count || length == 0 else { return nil }
            i += length + 1
            guard i - 18 <= 255 else { return nil }
            if length == 0 { break }
        }
        signer = UnsafeBufferPointer(rebasing: rdata[18..<i])
        signedPrefix = UnsafeBufferPointer(rebasing: rdata[..<i])
        signature = UnsafeBufferPointer(rebasing: rdata[i...])
    }

    /// Whether the signer is `name`, ignoring ASCII case.
    func signerIs(_ name: DomainName) -> Bool {
        guard signer.count == name.wire.count else { return false }
        for (a, b) in zip(signer, name.wire) where a != b && (a >= 65 && a <= 90 ? a + 32 : a) != b { return false }
        return true
    }
}
