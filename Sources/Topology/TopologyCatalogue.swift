import Findings

/// Every check the Topology analyzer can report, for `exposure checks`, SARIF rules and the README.
/// Each check's entry lives in the file of the check itself; this list only gathers them.
public enum TopologyCatalogue {
    public static let checks: [Check] = [
        InternetExposedPort.check,
        LateralMovementPath.check,
        MissingNSG.check,
        OverlyBroadAllow.check,
        ShadowedRule.check,
        IneffectiveRule.check,
        LegacyProtocolAllowed.check,
        UnjustifiedAllow.check,
    ]
}
