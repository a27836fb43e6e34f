import Findings

/// The live probes of resolvers and servers (`exposure dns resolver|server`).
public enum ProbeCatalogue {
    public static let checks: [Check] = [
        ResolverUntrusted.check,
        ResolverNotValidating.check,
        ResolverOpen.check,
        ZoneTransferOpen.check,
        VersionDisclosed.check,
        RecursionOnAuthoritative.check,
        CookiesMissing.check,
        RRLMissing.check,
        ResolverRateLimitMissing.check,
    ]
}
