import CLDNS
import Foundation

/// Checks one signature over prepared signed data with libldns, which knows every algorithm it was
/// built with. For ECDSA and Ed25519, the bulk of a signed zone, the libldns public key is built once
/// per DNSKEY (`ldns_ecdsa2pkey_raw`) and reused: rebuilding it for every signature, as
/// `ldns_verify_rrsig_buffers_raw` does, cost more than the signature check itself. Instances hold only
/// immutable keys, so any number of threads may verify at once.
final class ZoneSignatureVerifier: @unchecked Sendable {
    enum Outcome: Sendable, Equatable {
        case valid
        case invalid
        /// libldns cannot check this algorithm (not built in, or unknown).
        case unsupported(String)
    }

    /// Prepared keys by DNSKEY RDATA; the C objects live as long as this verifier.
    private let preparedKeys: [[UInt8]: OpaquePointer]
    /// libldns key objects owning the prepared keys, so `ldns_key_deep_free` releases them.
    private let owners: [UnsafeMutablePointer<ldns_key>]
    /// OpenSSL's SHA-256 and SHA-384 descriptions for `ldns_verify_rrsig_evp_raw`. libldns takes them
    /// but does not hand them out, and the package links libldns only, so they are looked up in the
    /// libcrypto that libldns loaded.
    nonisolated(unsafe) private static let digests: (sha256: OpaquePointer?, sha384: OpaquePointer?) = {
        typealias DigestGetter = @convention(c) () -> OpaquePointer?
        func lookup(_ name: String) -> OpaquePointer? {
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return nil }
            return unsafeBitCast(symbol, to: DigestGetter.self)()
        }
        return (lookup("EVP_sha256"), lookup("EVP_sha384"))
    }()

    init(keys: [DNSKEYData]) {
        var prepared: [[UInt8]: OpaquePointer] = [:]
        var owners: [UnsafeMutablePointer<ldns_key>] = []
        for key in keys where prepared[key.rdata] == nil {
            var bytes = key.publicKey
            let pkey: OpaquePointer? = bytes.withUnsafeMutableBufferPointer { raw in
                switch key.algorithm {
                case 13, 14: ldns_ecdsa2pkey_raw(raw.baseAddress, raw.count, key.algorithm)
                case 15: ldns_ed255192pkey_raw(raw.baseAddress, raw.count)
                default: nil
                }
            }
            guard let pkey, let owner = ldns_key_new() else { continue }
            ldns_key_set_evp_key(owner, pkey)
            owners.append(owner)
            prepared[key.rdata] = pkey
        }
        preparedKeys = prepared
        self.owners = owners
    }

    deinit {
        for owner in owners { ldns_key_deep_free(owner) }
    }

    func verify(signature: ArraySlice<UInt8>, signedData: [UInt8], key: DNSKEYData) -> Outcome {
        let algorithm = key.algorithm
        guard var signature = Self.libldnsSignature(signature, algorithm: algorithm) else { return .invalid }
        var data = signedData
        let status: ldns_status = data.withUnsafeMutableBytes { dataBytes in
            // libldns hashes the buffer from its start to its position.
            var buffer = ldns_buffer(
                _position: dataBytes.count, _limit: dataBytes.count, _capacity: dataBytes.count,
                _data: dataBytes.baseAddress?.assumingMemoryBound(to: UInt8.self), _fixed: 1, _status: LDNS_STATUS_OK)
            return signature.withUnsafeMutableBufferPointer { sig in
                if let pkey = preparedKeys[key.rdata], algorithm == 13 || algorithm == 14,
                    let digest = algorithm == 13 ? Self.digests.sha256 : Self.digests.sha384
                {
                    return ldns_verify_rrsig_evp_raw(sig.baseAddress, sig.count, &buffer, pkey, digest)
                }
                var publicKey = key.publicKey
                return publicKey.withUnsafeMutableBufferPointer { keyBytes in
                    ldns_verify_rrsig_buffers_raw(
                        sig.baseAddress, sig.count, &buffer, keyBytes.baseAddress, keyBytes.count, algorithm)
                }
            }
        }
        switch status {
        case LDNS_STATUS_OK: return .valid
        case LDNS_STATUS_CRYPTO_ALGO_NOT_IMPL, LDNS_STATUS_CRYPTO_UNKNOWN_ALGO:
            return .unsupported(LDNSZoneSupport.message(status))
        default: return .invalid
        }
    }

    /// libldns' raw verifiers want ECDSA and DSA signatures as OpenSSL does, DER `SEQUENCE { r, s }`,
    /// while RRSIGs carry them as fixed-width `r || s` (RFC 6605 §4, RFC 2536 §3 after its T octet).
    private static func libldnsSignature(_ signature: ArraySlice<UInt8>, algorithm: UInt8) -> [UInt8]? {
        switch algorithm {
        case 13, 14:
            let half = algorithm == 13 ? 32 : 48
            guard signature.count == 2 * half else { return nil }
            let start = signature.startIndex
            return derSequence(Array(signature[start..<(start + half)]), Array(signature[(start + half)...]))
        case 3, 6:
            guard signature.count == 41 else { return nil }
            let start = signature.startIndex
            return derSequence(Array(signature[(start + 1)..<(start + 21)]), Array(signature[(start + 21)...]))
        default:
            return Array(signature)
        }
    }

    private static func derSequence(_ r: [UInt8], _ s: [UInt8]) -> [UInt8] {
        func integer(_ bytes: [UInt8]) -> [UInt8] {
            var value = Array(bytes.drop { $0 == 0 })
            if value.isEmpty { value = [0] }
            if value[0] & 0x80 != 0 { value.insert(0, at: 0) }
            return [0x02, UInt8(value.count)] + value
        }
        let body = integer(r) + integer(s)
        return [0x30, UInt8(body.count)] + body
    }
}
