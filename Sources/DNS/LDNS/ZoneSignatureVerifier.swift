import CLDNS

/// Checks one signature over prepared signed data with libldns' raw verifier, which knows every
/// algorithm libldns was built with. It holds no state, so any number of threads may call it at once.
enum ZoneSignatureVerifier {
    enum Outcome: Sendable, Equatable {
        case valid
        case invalid
        /// libldns cannot check this algorithm (not built in, or unknown).
        case unsupported(String)
    }

    static func verify(signature: [UInt8], signedData: [UInt8], key: [UInt8], algorithm: UInt8) -> Outcome {
        guard var signature = libldnsSignature(signature, algorithm: algorithm) else { return .invalid }
        var key = key
        var data = signedData
        let status: ldns_status = data.withUnsafeMutableBytes { dataBytes in
            // libldns hashes the buffer from its start to its position.
            var buffer = ldns_buffer(
                _position: dataBytes.count, _limit: dataBytes.count, _capacity: dataBytes.count,
                _data: dataBytes.baseAddress?.assumingMemoryBound(to: UInt8.self), _fixed: 1, _status: LDNS_STATUS_OK)
            return signature.withUnsafeMutableBufferPointer { sig in
                key.withUnsafeMutableBufferPointer { keyBytes in
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

    /// libldns' raw verifier wants ECDSA and DSA signatures as OpenSSL does, DER `SEQUENCE { r, s }`,
    /// while RRSIGs carry them as fixed-width `r || s` (RFC 6605 §4, RFC 2536 §3 after its T octet).
    private static func libldnsSignature(_ signature: [UInt8], algorithm: UInt8) -> [UInt8]? {
        switch algorithm {
        case 13, 14:
            let half = algorithm == 13 ? 32 : 48
            guard signature.count == 2 * half else { return nil }
            return derSequence(Array(signature[..<half]), Array(signature[half...]))
        case 3, 6:
            guard signature.count == 41 else { return nil }
            return derSequence(Array(signature[1..<21]), Array(signature[21..<41]))
        default:
            return signature
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
