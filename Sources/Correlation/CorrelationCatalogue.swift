import Findings

/// A correlation check: its catalogue entry, and the findings it returns from one run's verdicts.
protocol CorrelationCheck {
    static var check: Check { get }
    static func findings(_ context: CorrelationContext) -> [Finding]
}

/// Every correlation check, once: this list both runs them and catalogues them (`exposure checks`,
/// SARIF rules, docs/checks.md).
public enum CorrelationCatalogue {
    static var entries: [any CorrelationCheck.Type] {
        [
            UnusedAllow.self,
            AllowBroaderThanTraffic.self,
            DeniedFlowObserved.self,
            InternetManagementObserved.self,
            UnknownHostObserved.self,
        ]
    }

    public static var checks: [Check] { entries.map { $0.check } }

    static func run(_ context: CorrelationContext) -> [Finding] { entries.flatMap { $0.findings(context) } }
}
