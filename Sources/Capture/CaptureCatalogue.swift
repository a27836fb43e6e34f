import Findings

/// Every check the Capture analyzer can report, for `exposure checks`, SARIF rules and the README.
/// Each check's entry lives in the file of the check itself; this list only gathers them.
public enum CaptureCatalogue {
    public static let checks: [Check] = []
}
