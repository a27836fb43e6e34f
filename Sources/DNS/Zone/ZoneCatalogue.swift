import Findings

/// The DNSSEC zone checks (`exposure dns zone`), in the order they run.
public enum ZoneCatalogue {
    static let all: [any ZoneCheck.Type] = [
        DNSSECUnsigned.self,
        BogusSignature.self,
        MissingSignature.self,
        SignatureExpired.self,
        SignatureNotYetValid.self,
        SignatureExpiring.self,
        NSECChain.self,
        MisplacedRecord.self,
        WeakAlgorithm.self,
        NSEC3ParameterPractice.self,
        TrustAnchorMismatch.self,
        CDSMismatch.self,
        ZONEMDMismatch.self,
        TTLAboveOriginalTTL.self,
    ]

    public static let checks: [Check] = all.map { $0.check }
}
