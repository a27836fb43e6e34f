import Findings

/// Every check the DNS analyzer can report, for `exposure checks`, SARIF rules and the README.
/// Zone checks and live probes keep their own lists beside their logic; this only joins them.
public enum DNSCatalogue {
    public static let checks: [Check] = ZoneCatalogue.checks + ProbeCatalogue.checks
}
