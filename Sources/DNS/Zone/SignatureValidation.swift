import Foundation

/// What became of one RRSIG: whether its signature is sound and whether its window covers now.
struct SignatureVerdict: Sendable {
    enum Cryptography: Sendable, Equatable {
        /// Verified with this apex key.
        case valid(keyTag: UInt16)
        /// A matching apex key exists but the signature does not verify with it.
        case invalid(reason: String)
        /// No apex zone key has this key tag and algorithm, or the signer is not the apex.
        case noKey
        /// libldns cannot check the algorithm.
        case unsupported(String)
    }

    enum Window: Sendable, Equatable {
        case current
        case expired
        case notYetValid
    }

    var rrset: Int
    var signature: SignatureRecord
    var cryptography: Cryptography
    var window: Window
    /// Seconds from now to the expiration (negative once expired).
    var secondsToExpiry: Int64

    var isValidNow: Bool {
        if case .valid = cryptography, window == .current { return true }
        return false
    }

    var isByZoneKey: Bool { cryptography != .noKey }
}

/// Verifies every RRSIG of the zone's RRsets against the apex keys, on all cores: each check is
/// independent, and signature checks are nearly all of a large zone's cost.
enum SignatureValidation {
    static func validate(_ zone: ZoneStructure, clock: SerialTime) -> [SignatureVerdict] {
        let keys = zone.apexKeys
        let verifier = ZoneSignatureVerifier(keys: keys)
        var pending: [(rrset: Int, signature: SignatureRecord)] = []
        for (i, set) in zone.rrsets.enumerated() {
            for signature in set.signatures { pending.append((i, signature)) }
        }
        let work = pending
        let verdicts = UnsafeMutableBufferPointer<SignatureVerdict?>.allocate(capacity: work.count)
        verdicts.initialize(repeating: nil)
        defer { verdicts.deallocate() }
        let chunk = 256
        let chunks = (work.count + chunk - 1) / chunk
        nonisolated(unsafe) let output = verdicts
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let end = min(work.count, (c + 1) * chunk)
            for w in (c * chunk)..<end {
                let item = work[w]
                output[w] = verdict(
                    for: item.signature, of: zone.rrsets[item.rrset], index: item.rrset, zone: zone,
                    keys: keys, verifier: verifier, clock: clock)
            }
        }
        return verdicts.compactMap { $0 }
    }

    static func verdict(
        for signature: SignatureRecord, of set: ResourceRecordSet, index: Int, zone: ZoneStructure,
        keys: [DNSKEYData], verifier: ZoneSignatureVerifier, clock: SerialTime
    ) -> SignatureVerdict {
        let sig = signature.data
        let left = clock.secondsUntil(sig.expiration)
        let window: SignatureVerdict.Window =
            left < 0 ? .expired : (clock.secondsUntil(sig.inception) > 0 ? .notYetValid : .current)
        var result = SignatureVerdict(
            rrset: index, signature: signature, cryptography: .noKey, window: window, secondsToExpiry: left)
        let candidates = keys.filter { $0.algorithm == sig.algorithm && $0.keyTag == sig.keyTag }
        guard sig.signer == zone.origin, !candidates.isEmpty else { return result }
        guard let data = signedData(set, sig) else {
            result.cryptography = .invalid(
                reason: "its Labels field (\(sig.labels)) is larger than the owner name has labels")
            return result
        }
        var failure = SignatureVerdict.Cryptography.invalid(reason: "the signature does not verify with the key")
        for key in candidates {
            switch verifier.verify(signature: sig.signature, signedData: data, key: key) {
            case .valid:
                result.cryptography = .valid(keyTag: key.keyTag)
                return result
            case .unsupported(let why): failure = .unsupported(why)
            case .invalid: break
            }
        }
        result.cryptography = failure
        return result
    }

    /// RFC 4034 §3.1.8.1: the RRSIG RDATA without its signature, then each RR of the set in canonical
    /// order with the original TTL, its owner rebuilt as a wildcard when the signature's Labels field
    /// says it was synthesised from one (RFC 4035 §5.3.2).
    static func signedData(_ set: ResourceRecordSet, _ sig: RRSIGData) -> [UInt8]? {
        let ownerLabels = set.owner.labelCount
        guard Int(sig.labels) <= ownerLabels else { return nil }
        let owner =
            Int(sig.labels) < ownerLabels ? set.owner.suffix(labels: Int(sig.labels)).wildcardChild : set.owner
        var data = Array(sig.signedPrefix)
        let fixed: [UInt8] = [
            UInt8(set.type.rawValue >> 8), UInt8(set.type.rawValue & 0xFF),
            UInt8(set.recordClass >> 8), UInt8(set.recordClass & 0xFF),
            UInt8(sig.originalTTL >> 24), UInt8((sig.originalTTL >> 16) & 0xFF),
            UInt8((sig.originalTTL >> 8) & 0xFF), UInt8(sig.originalTTL & 0xFF),
        ]
        data.reserveCapacity(data.count + set.rdatas.reduce(0) { $0 + owner.wire.count + 10 + $1.count })
        for rdata in set.rdatas {
            data += owner.wire
            data += fixed
            data.append(UInt8(rdata.count >> 8))
            data.append(UInt8(rdata.count & 0xFF))
            data += rdata
        }
        return data
    }
}
