import Findings
import Topology

extension Correlator {
    /// Capture findings (`capture.legacy-protocol` and the others that name a server, a port, a
    /// transport and clients) gain `allowedBy` where the topology places the two ends: the rules that
    /// let the clients' flows to that server and port through, each once, in the order met. A finding
    /// whose flows the topology denies or does not place is left as it is.
    public func nameAllowingRules(_ findings: [Finding]) -> [Finding] {
        findings.map { finding in
            guard finding.check.area == "capture",
                case .string(let serverText)? = finding.evidence["server"], let server = NetworkAddress(serverText),
                case .int(let port)? = finding.evidence["serverPort"],
                case .string(let transportText)? = finding.evidence["transport"],
                let transport = TransportProtocol(transportText), transport.hasPorts,
                case .array(let clientValues)? = finding.evidence["clients"]
            else { return finding }
            let flows = clientValues.compactMap { value -> ObservedFlow? in
                guard case .string(let text) = value, let client = NetworkAddress(text) else { return nil }
                return ObservedFlow(
                    flow: Flow(source: client, destination: server, protocol: transport, destinationPort: port))
            }
            var rules: [RuleDecision] = []
            for judged in evaluate(flows) where judged.verdict.verdict == .allowed {
                for d in judged.verdict.decidedBy where !rules.contains(d) { rules.append(d) }
            }
            guard !rules.isEmpty else { return finding }
            var annotated = finding
            annotated.evidence["allowedBy"] = .array(rules.map(\.json))
            return annotated
        }
    }
}
