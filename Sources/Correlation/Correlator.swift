import Findings
import Topology

/// Options of one correlation run.
public struct CorrelationOptions: Sendable {
    /// The least time a capture must span for "this rule decided nothing" to be a verdict.
    public var minimumSpanSeconds: Double = 3600
    /// Also run the capture audit (every protocol detector) and name the rules that allow what it finds.
    public var captureFindings = false

    public init(minimumSpanSeconds: Double = 3600, captureFindings: Bool = false) {
        self.minimumSpanSeconds = minimumSpanSeconds
        self.captureFindings = captureFindings
    }
}

/// One observed flow with the engine's verdict.
public struct EvaluatedFlow: Sendable, Hashable {
    public var observed: ObservedFlow
    /// The flow as the engine judged it: a NIC's public IP as the client becomes its private IP (the
    /// NIC sent it before Azure translated it), and a private IP reached from the internet becomes the
    /// NIC's public IP (a capture on the VM sees the address after translation).
    public var judged: Flow
    public var verdict: FlowVerdict
    /// The NICs (indexes into `network.interfaces`) at each end, if the topology has them.
    public var clientInterface: Int?
    public var serverInterface: Int?
    /// The client is an internet address.
    public var fromInternet: Bool
}

/// Holds observed traffic against a topology: each flow between addresses the topology places goes
/// through the one reachability engine, and the correlation checks read the verdicts.
public final class Correlator {
    public let network: Network
    public let engine: ReachabilityEngine
    let estate: Estate
    private var cache: [Flow: FlowVerdict] = [:]

    public init(network: Network, engine: ReachabilityEngine? = nil) {
        self.network = network
        self.engine = engine ?? ReachabilityEngine(network: network)
        estate = Estate(network: network)
    }

    /// Azure's platform address (DNS, DHCP, load balancer health probes, the VM agent): it reaches a
    /// NIC's private IP directly, not as internet traffic, so flows to or from it are not judged.
    public static let platformAddress = NetworkAddress("168.63.129.16")!

    /// The flows with at least one end at a NIC of the topology, judged by the engine, in input order.
    /// Flows between two addresses the topology does not place, and flows to or from Azure's platform
    /// address, are left out.
    public func evaluate(_ flows: [ObservedFlow]) -> [EvaluatedFlow] {
        var result: [EvaluatedFlow] = []
        result.reserveCapacity(flows.count)
        for observed in flows {
            if Self.isPlatform(observed.flow) { continue }
            var judged = observed.flow
            let client = estate.nic(at: judged.source)
            let server = estate.nic(at: judged.destination)
            guard client != nil || server != nil else { continue }
            if let client, client.privateAddress != judged.source { judged.source = client.privateAddress }
            let fromInternet = client == nil && estate.isInternet(judged.source)
            if fromInternet, let server, server.privateAddress == judged.destination, let pub = server.publicAddress {
                judged.destination = pub
            }
            let verdict: FlowVerdict
            if let known = cache[judged] {
                verdict = known
            } else {
                verdict = engine.verify(judged)
                cache[judged] = verdict
            }
            result.append(
                EvaluatedFlow(
                    observed: observed, judged: judged, verdict: verdict, clientInterface: client?.interface,
                    serverInterface: server?.interface, fromInternet: fromInternet))
        }
        return result
    }

    static func isPlatform(_ flow: Flow) -> Bool {
        flow.source == platformAddress || flow.destination == platformAddress
    }

    /// Runs every correlation check on the observed traffic; returns the findings and the warnings.
    public func correlate(_ traffic: ObservedTraffic, options: CorrelationOptions = CorrelationOptions()) -> Report {
        let context = CorrelationContext(
            correlator: self, traffic: traffic, flows: evaluate(traffic.flows), options: options)
        return Report(findings: CorrelationCatalogue.run(context), warnings: traffic.warnings + context.warnings)
    }
}
