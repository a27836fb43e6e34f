import CLDNS
import Foundation

/// Checks signatures over prepared signed data against a zone's apex keys.
///
/// ECDSA (algorithms 13 and 14) is nearly every signature of a large signed zone, so it takes a short
/// path through libcrypto, the library libldns itself verifies with: each key is built once
/// (`ldns_ecdsa2pkey_raw`), and each thread keeps a `Session` with its digest context and one
/// verification context per key, set up once. `ldns_verify_rrsig_evp_raw` would build and tear down
/// both for every signature, looking the algorithms up in OpenSSL's provider tables under a lock each
/// time, which cost a tenth of the verification time on a 600,000-signature zone. Every other
/// algorithm goes through `ldns_verify_rrsig_buffers_raw`, which knows all that libldns was built with.
///
/// The verifier holds only immutable keys, so sessions on any number of threads share it.
final class ZoneSignatureVerifier: @unchecked Sendable {
    enum Outcome: Sendable, Equatable {
        case valid
        case invalid
        /// libldns cannot check this algorithm (not built in, or unknown).
        case unsupported(String)
    }

    /// The keys, addressed by their index in this array.
    let keys: [DNSKEYData]
    /// The libcrypto public key of each ECDSA key, by key index; nil for other algorithms.
    private let ecdsaKeys: [OpaquePointer?]
    /// libldns key objects owning `ecdsaKeys`, so `ldns_key_deep_free` releases them.
    private let owners: [UnsafeMutablePointer<ldns_key>]
    /// SHA-256 and SHA-384, fetched once.
    private let sha256: OpaquePointer?
    private let sha384: OpaquePointer?

    init(keys: [DNSKEYData]) {
        self.keys = keys
        var ecdsaKeys: [OpaquePointer?] = []
        var owners: [UnsafeMutablePointer<ldns_key>] = []
        for key in keys {
            var bytes = key.publicKey
            let pkey: OpaquePointer? = bytes.withUnsafeMutableBufferPointer { raw in
                key.algorithm == 13 || key.algorithm == 14
                    ? ldns_ecdsa2pkey_raw(raw.baseAddress, raw.count, key.algorithm) : nil
            }
            if let pkey, let owner = ldns_key_new() {
                ldns_key_set_evp_key(owner, pkey)
                owners.append(owner)
                ecdsaKeys.append(pkey)
            } else {
                if let pkey { EVP_PKEY_free(pkey) }
                ecdsaKeys.append(nil)
            }
        }
        self.ecdsaKeys = ecdsaKeys
        self.owners = owners
        sha256 = EVP_MD_fetch(nil, "SHA256", nil)
        sha384 = EVP_MD_fetch(nil, "SHA384", nil)
    }

    deinit {
        for owner in owners { ldns_key_deep_free(owner) }
        EVP_MD_free(sha256)
        EVP_MD_free(sha384)
    }

    /// State for one thread: use a session from one thread at a time.
    func makeSession() -> Session { Session(verifier: self) }

    final class Session {
        private let verifier: ZoneSignatureVerifier
        private let digestContext: OpaquePointer?
        /// One verification context per key, made on first use.
        private var keyContexts: [OpaquePointer?]

        fileprivate init(verifier: ZoneSignatureVerifier) {
            self.verifier = verifier
            digestContext = EVP_MD_CTX_new()
            keyContexts = [OpaquePointer?](repeating: nil, count: verifier.keys.count)
        }

        deinit {
            EVP_MD_CTX_free(digestContext)
            for context in keyContexts { EVP_PKEY_CTX_free(context) }
        }

        /// The verifier's keys, which `keyIndex` numbers.
        var keys: [DNSKEYData] { verifier.keys }

        /// Whether `signature` (RRSIG form) over `signedData` verifies with key number `keyIndex`.
        func verify(signature: UnsafeBufferPointer<UInt8>, signedData: UnsafeBufferPointer<UInt8>, keyIndex: Int)
            -> Outcome
        {
            let key = verifier.keys[keyIndex]
            guard let pkey = verifier.ecdsaKeys[keyIndex] else {
                return ZoneSignatureVerifier.verifyWithLibldns(signature: signature, signedData: signedData, key: key)
            }
            let isP256 = key.algorithm == 13
            let half = isP256 ? 32 : 48
            guard signature.count == 2 * half, let md = isP256 ? verifier.sha256 : verifier.sha384,
                let context = keyContext(keyIndex, pkey)
            else { return .invalid }
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64 + 2 * half + 8) { scratch in
                guard let digest = scratch.baseAddress else { return .invalid }
                var digestLength: UInt32 = 0
                guard EVP_DigestInit_ex2(digestContext, md, nil) == 1,
                    EVP_DigestUpdate(digestContext, signedData.baseAddress, signedData.count) == 1,
                    EVP_DigestFinal_ex(digestContext, digest, &digestLength) == 1
                else { return .invalid }
                let der = UnsafeMutableBufferPointer(rebasing: scratch[64...])
                let derLength = ZoneSignatureVerifier.encodeDER(
                    r: UnsafeBufferPointer(rebasing: signature[..<half]),
                    s: UnsafeBufferPointer(rebasing: signature[half...]), into: der)
                let status = EVP_PKEY_verify(context, der.baseAddress, derLength, digest, Int(digestLength))
                if status != 1 { ERR_clear_error() }
                return status == 1 ? .valid : .invalid
            }
        }

        private func keyContext(_ index: Int, _ pkey: OpaquePointer) -> OpaquePointer? {
            if let context = keyContexts[index] { return context }
            guard let context = EVP_PKEY_CTX_new(pkey, nil) else { return nil }
            guard EVP_PKEY_verify_init(context) == 1 else {
                EVP_PKEY_CTX_free(context)
                return nil
            }
            keyContexts[index] = context
            return context
        }
    }

    /// The general path: libldns builds the key for each signature and checks it.
    private static func verifyWithLibldns(
        signature: UnsafeBufferPointer<UInt8>, signedData: UnsafeBufferPointer<UInt8>, key: DNSKEYData
    ) -> Outcome {
        guard var sig = libldnsSignature(signature, algorithm: key.algorithm) else { return .invalid }
        var data = Array(signedData)
        var publicKey = key.publicKey
        let status: ldns_status = data.withUnsafeMutableBytes { dataBytes in
            // libldns hashes the buffer from its start to its position.
            var buffer = ldns_buffer(
                _position: dataBytes.count, _limit: dataBytes.count, _capacity: dataBytes.count,
                _data: dataBytes.baseAddress?.assumingMemoryBound(to: UInt8.self), _fixed: 1, _status: LDNS_STATUS_OK)
            return sig.withUnsafeMutableBufferPointer { sigBytes in
                publicKey.withUnsafeMutableBufferPointer { keyBytes in
                    ldns_verify_rrsig_buffers_raw(
                        sigBytes.baseAddress, sigBytes.count, &buffer, keyBytes.baseAddress, keyBytes.count,
                        key.algorithm)
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

    /// libldns' raw verifiers want DSA signatures as OpenSSL does, DER `SEQUENCE { r, s }`, while
    /// RRSIGs carry them as `T || r || s` (RFC 2536 §3); other algorithms pass unchanged.
    private static func libldnsSignature(_ signature: UnsafeBufferPointer<UInt8>, algorithm: UInt8) -> [UInt8]? {
        switch algorithm {
        case 13, 14:
            // Reached only when the key could not be built; the signature cannot be checked with it.
            return nil
        case 3, 6:
            guard signature.count == 41 else { return nil }
            var der = [UInt8](repeating: 0, count: 2 * 23 + 2)
            let length = der.withUnsafeMutableBufferPointer { out in
                encodeDER(
                    r: UnsafeBufferPointer(rebasing: signature[1..<21]),
                    s: UnsafeBufferPointer(rebasing: signature[21...]), into: out)
            }
            return Array(der[..<length])
        default:
            return Array(signature)
        }
    }

    /// Writes `SEQUENCE { INTEGER r, INTEGER s }` from the unsigned big-endian `r` and `s` (each at most
    /// 125 bytes, so every length fits one byte) and returns its length. `out` must hold
    /// `r.count + s.count + 8` bytes.
    static func encodeDER(
        r: UnsafeBufferPointer<UInt8>, s: UnsafeBufferPointer<UInt8>, into out: UnsafeMutableBufferPointer<UInt8>
    )
        -> Int
    {
        var position = 2
        func integer(_ value: UnsafeBufferPointer<UInt8>) {
            var first = 0
            while first < value.count && value[first] == 0 { first += 1 }
            let pad = first == value.count || value[first] & 0x80 != 0
            let length = value.count - first + (pad ? 1 : 0)
            out[position] = 0x02
            out[position + 1] = UInt8(length)
            position += 2
            if pad {
                out[position] = 0
                position += 1
            }
            for i in first..<value.count {
                out[position] = value[i]
                position += 1
            }
        }
        integer(r)
        integer(s)
        out[0] = 0x30
        out[1] = UInt8(position - 2)
        return position
    }
}
