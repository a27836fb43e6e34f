import Findings

/// One topology check as the analyzer runs it: its catalogue entry (id, title, rationale) and the
/// function that asks the engine, through the audit context, and returns its findings, with
/// warnings when it could not do its work as asked.
public struct TopologyCheck: Sendable {
    public let check: Check
    let run: @Sendable (AuditContext) -> (findings: [Finding], warnings: [String])

    init(_ check: Check, run: @escaping @Sendable (AuditContext) -> (findings: [Finding], warnings: [String])) {
        self.check = check
        self.run = run
    }

    init(_ check: Check, findings: @escaping @Sendable (AuditContext) -> [Finding]) {
        self.init(check) { (findings($0), []) }
    }
}

/// Every check of the Topology analyzer, in the order it runs them: the one list that both runs
/// the checks (`TopologyAnalyzer.analyze`) and lists them (`exposure checks`, SARIF rules,
/// docs/checks.md). Each check's entry and logic live in its own file under `Checks/`.
public enum TopologyCatalogue {
    public static let all: [TopologyCheck] = [
        TopologyCheck(InternetExposedPort.check, findings: InternetExposedPort.findings),
        TopologyCheck(LateralMovementPath.check, run: LateralMovementPath.run),
        TopologyCheck(MissingNSG.check, findings: MissingNSG.findings),
        TopologyCheck(OverlyBroadAllow.check, findings: OverlyBroadAllow.findings),
        TopologyCheck(ShadowedRule.check, findings: ShadowedRule.findings),
        TopologyCheck(IneffectiveRule.check, findings: IneffectiveRule.findings),
        TopologyCheck(LegacyProtocolAllowed.check, findings: LegacyProtocolAllowed.findings),
        TopologyCheck(UnjustifiedAllow.check, findings: UnjustifiedAllow.findings),
        TopologyCheck(PublicWebWithoutWAF.check, findings: PublicWebWithoutWAF.findings),
        TopologyCheck(UnusedPublicIP.check, findings: UnusedPublicIP.findings),
        TopologyCheck(DedicatedPublicIP.check, findings: DedicatedPublicIP.findings),
        TopologyCheck(VirtualNetworkTagWidenedByRoute.check, findings: VirtualNetworkTagWidenedByRoute.findings),
        TopologyCheck(AsymmetricRoute.check, findings: AsymmetricRoute.findings),
    ]

    public static let checks: [Check] = all.map(\.check)
}
