import Findings

/// Every check the DNS analyzer can report, for `exposure checks`, SARIF rules and the README.
/// Each check's entry lives in the file of the check itself; this list only gathers them.
public enum DNSCatalogue {
    public static let checks: [Check] = []
}
