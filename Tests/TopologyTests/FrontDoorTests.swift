import Findings
import Foundation
import Testing

@testable import Topology

/// Azure Front Door, classic (`Microsoft.Network/frontDoors`) and Standard/Premium
/// (`Microsoft.Cdn/profiles`), as Azure documents it: a layer-7 reverse proxy on Microsoft's edge
/// that takes every internet client and connects to an origin from the `AzureFrontDoor.Backend`
/// service tag's addresses; its WAF policy (`FrontDoorWebApplicationFirewallPolicies`) blocks in
/// Prevention mode; an origin that still admits the internet directly can be reached around it
/// (Azure's guidance: allow only `AzureFrontDoor.Backend` on the origin). Expected findings are
/// DESIGN.md's example D2-C, worked by hand; direct verdicts are held to the brute-force evaluator.
@Suite("Front Door: origins, WAF policies, bypass")
struct FrontDoorTests {
    static let sub = "/subscriptions/0/resourceGroups/rg/providers"

    /// web1 10.0.1.4 behind Standard public load balancer web-lb (20.0.0.10, DNS name
    /// web.example.cloudapp.azure.com, HTTPS 443 → 443); web-nsg's rule 100 admits `source` on 443.
    static func estate(source: String, frontDoor: String) -> String {
        let n = "\(sub)/Microsoft.Network"
        return """
            [
              {"id": "\(n)/virtualNetworks/vnet", "name": "vnet", "type": "Microsoft.Network/virtualNetworks",
               "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}, "subnets": [
                 {"id": "\(n)/virtualNetworks/vnet/subnets/web", "name": "web", "properties": {"addressPrefix": "10.0.1.0/24", "networkSecurityGroup": {"id": "\(n)/networkSecurityGroups/web-nsg"}}}]}},
              {"id": "\(n)/networkSecurityGroups/web-nsg", "name": "web-nsg", "type": "Microsoft.Network/networkSecurityGroups",
               "properties": {"securityRules": [{"name": "AllowHttps", "properties": {"priority": 100, "direction": "Inbound", "access": "Allow",
                 "protocol": "Tcp", "sourceAddressPrefix": "\(source)", "sourcePortRange": "*", "destinationAddressPrefix": "*",
                 "destinationPortRange": "443", "description": "web"}}]}},
              {"id": "\(n)/publicIPAddresses/web-lb-pip", "name": "web-lb-pip", "type": "Microsoft.Network/publicIPAddresses",
               "sku": {"name": "Standard"}, "properties": {"ipAddress": "20.0.0.10", "dnsSettings": {"domainNameLabel": "web", "fqdn": "web.example.cloudapp.azure.com"}}},
              {"id": "\(n)/loadBalancers/web-lb", "name": "web-lb", "type": "Microsoft.Network/loadBalancers", "sku": {"name": "Standard"},
               "properties": {
                 "frontendIPConfigurations": [{"id": "\(n)/loadBalancers/web-lb/frontendIPConfigurations/fe", "name": "fe", "properties": {"publicIPAddress": {"id": "\(n)/publicIPAddresses/web-lb-pip"}}}],
                 "backendAddressPools": [{"id": "\(n)/loadBalancers/web-lb/backendAddressPools/pool", "name": "pool"}],
                 "loadBalancingRules": [{"name": "https", "properties": {"frontendIPConfiguration": {"id": "\(n)/loadBalancers/web-lb/frontendIPConfigurations/fe"},
                   "backendAddressPool": {"id": "\(n)/loadBalancers/web-lb/backendAddressPools/pool"}, "protocol": "Tcp", "frontendPort": 443, "backendPort": 443}}]}},
              {"id": "\(n)/networkInterfaces/web1", "name": "web1", "type": "Microsoft.Network/networkInterfaces",
               "properties": {"ipConfigurations": [{"name": "ipconfig1", "properties": {"privateIPAddress": "10.0.1.4",
                 "subnet": {"id": "\(n)/virtualNetworks/vnet/subnets/web"},
                 "loadBalancerBackendAddressPools": [{"id": "\(n)/loadBalancers/web-lb/backendAddressPools/pool"}]}}]}},
              \(frontDoor)
            ]
            """
    }

    /// A classic Front Door sending to the load balancer's DNS name, its endpoint linked to a
    /// policy in `mode`.
    static func classic(mode: String) -> String {
        let n = "\(sub)/Microsoft.Network"
        return """
            {"id": "\(n)/FrontDoorWebApplicationFirewallPolicies/fdwaf", "name": "fdwaf", "type": "Microsoft.Network/FrontDoorWebApplicationFirewallPolicies",
             "properties": {"policySettings": {"enabledState": "Enabled", "mode": "\(mode)"}}},
            {"id": "\(n)/frontDoors/fd", "name": "fd", "type": "Microsoft.Network/frontDoors",
             "properties": {
               "frontendEndpoints": [{"id": "\(n)/frontDoors/fd/frontendEndpoints/fd-azurefd-net", "name": "fd-azurefd-net",
                 "properties": {"hostName": "fd.azurefd.net", "webApplicationFirewallPolicyLink": {"id": "\(n)/FrontDoorWebApplicationFirewallPolicies/fdwaf"}}}],
               "backendPools": [{"id": "\(n)/frontDoors/fd/backendPools/web", "name": "web", "properties": {"backends": [
                 {"address": "web.example.cloudapp.azure.com", "httpPort": 80, "httpsPort": 443, "enabledState": "Enabled", "priority": 1, "weight": 50},
                 {"address": "app.azurewebsites.net", "httpPort": 80, "httpsPort": 443, "enabledState": "Enabled", "priority": 1, "weight": 50}]}}],
               "routingRules": [{"name": "all", "properties": {"frontendEndpoints": [{"id": "\(n)/frontDoors/fd/frontendEndpoints/fd-azurefd-net"}],
                 "acceptedProtocols": ["Https"], "patternsToMatch": ["/*"],
                 "routeConfiguration": {"@odata.type": "#Microsoft.Azure.FrontDoor.Models.FrontdoorForwardingConfiguration",
                   "backendPool": {"id": "\(n)/frontDoors/fd/backendPools/web"}}}}]}}
            """
    }

    /// A Standard/Premium profile as Resource Graph lists it: profile, endpoint, origin (by address),
    /// and a security policy linking a WAF policy in `mode` to the endpoint.
    static func premium(mode: String) -> String {
        let c = "\(sub)/Microsoft.Cdn/profiles/afd"
        let n = "\(sub)/Microsoft.Network"
        return """
            {"id": "\(n)/FrontDoorWebApplicationFirewallPolicies/afdwaf", "name": "afdwaf", "type": "Microsoft.Network/FrontDoorWebApplicationFirewallPolicies",
             "sku": {"name": "Premium_AzureFrontDoor"}, "properties": {"policySettings": {"enabledState": "Enabled", "mode": "\(mode)"}}},
            {"id": "\(c)", "name": "afd", "type": "Microsoft.Cdn/profiles", "sku": {"name": "Premium_AzureFrontDoor"}, "properties": {}},
            {"id": "\(c)/afdEndpoints/ep", "name": "ep", "type": "Microsoft.Cdn/profiles/afdEndpoints", "properties": {"enabledState": "Enabled"}},
            {"id": "\(c)/originGroups/og", "name": "og", "type": "Microsoft.Cdn/profiles/originGroups", "properties": {}},
            {"id": "\(c)/originGroups/og/origins/lb", "name": "lb", "type": "Microsoft.Cdn/profiles/originGroups/origins",
             "properties": {"hostName": "20.0.0.10", "httpPort": 80, "httpsPort": 443, "enabledState": "Enabled"}},
            {"id": "\(c)/securityPolicies/waf", "name": "waf", "type": "Microsoft.Cdn/profiles/securityPolicies",
             "properties": {"parameters": {"type": "WebApplicationFirewall", "wafPolicy": {"id": "\(n)/FrontDoorWebApplicationFirewallPolicies/afdwaf"},
               "associations": [{"domains": [{"id": "\(c)/afdEndpoints/ep"}], "patternsToMatch": ["/*"]}]}}}
            """
    }

    static func audit(_ text: String, tags: ServiceTags? = nil) throws -> (LoadedTopology, Report) {
        var loaded = try TopologyLoader.load(documents: [("fd.json", Data(text.utf8))])
        if let tags { loaded.network.serviceTags = tags }
        return (loaded, TopologyAnalyzer.analyze(loaded, options: AuditOptions(today: AuditSampleTests.today)))
    }

    static func web(_ report: Report) -> [Finding] {
        report.findings.filter { $0.check.id == "topology.public-web-without-waf" }
    }

    @Test(
        "Example D2-C: a classic Front Door with a WAF in Prevention in front of an origin only it may reach is no finding"
    )
    func classicPreventionOriginLockedDown() throws {
        let (loaded, report) = try Self.audit(
            Self.estate(source: "AzureFrontDoor.Backend", frontDoor: Self.classic(mode: "Prevention")))
        let fd = try #require(loaded.network.frontDoors.first)
        #expect(fd.wafMode == .prevention && fd.origins.count == 2)
        #expect(Self.web(report).isEmpty, "\(Self.web(report).map(\.message))")
        #expect(
            loaded.warnings.contains {
                $0.contains(
                    "origin 'web/app.azurewebsites.net' of Front Door 'fd' names app.azurewebsites.net, which matches no public IP"
                )
            }, "\(loaded.warnings)")
        // The internet still reaches web1, through Front Door: a path of one hop.
        let engine = ReachabilityEngine(network: loaded.network)
        let path = try #require(try engine.paths(from: .internet, to: .resource("web1")).paths.first)
        #expect(path.hops.count == 1 && path.hops[0].port == 443)
        #expect(
            engine.entryPoints.contains { $0.via == .frontDoor && $0.name == "fd/web/web.example.cloudapp.azure.com" })
        // Directly, an internet host is refused (DenyAllInBound): the NSG admits only Front Door.
        let direct = engine.verify(
            Flow(
                source: IPv4Address("198.51.100.7")!, destination: IPv4Address("20.0.0.10")!, protocol: .tcp,
                destinationPort: 443))
        #expect(direct.verdict == .denied && direct.decidedBy.map(\.rule) == ["DenyAllInBound"])
        let brute = BruteForceEvaluator(network: loaded.network).verify(
            Flow(
                source: IPv4Address("198.51.100.7")!, destination: IPv4Address("20.0.0.10")!, protocol: .tcp,
                destinationPort: 443))
        #expect(brute.0 == .denied && brute.1 == ["web-nsg/DenyAllInBound"])
    }

    @Test("Example D2-C: a Front Door WAF in Detection is reported for the Front Door, via frontDoor")
    func classicDetectionIsReported() throws {
        let (_, report) = try Self.audit(
            Self.estate(source: "AzureFrontDoor.Backend", frontDoor: Self.classic(mode: "Detection")))
        let found = Self.web(report)
        #expect(found.map(\.subject) == ["fd/web/web.example.cloudapp.azure.com"])
        #expect(
            found.first?.evidence["via"] == .string("frontDoor") && found.first?.evidence["waf"] == .string("Detection")
        )
        #expect(found.first?.message.contains("Front Door's WAF is in Detection mode") ?? false)
    }

    @Test(
        "Example D2-C: an origin that also admits the internet is reported for its direct door: Front Door can be bypassed"
    )
    func bypassIsReported() throws {
        let (_, report) = try Self.audit(Self.estate(source: "Internet", frontDoor: Self.classic(mode: "Prevention")))
        let found = Self.web(report)
        #expect(found.map(\.subject) == ["web-lb/https"], "\(found.map(\.subject))")
        #expect(found.first?.evidence["bypassedFrontDoor"] == .array([.string("fd")]))
        #expect(
            found.first?.message.contains(
                "Front Door 'fd' sends to this origin, but it also admits the internet directly, so Front Door and its WAF can be bypassed"
            ) ?? false, "\(found.first?.message ?? "")")
    }

    @Test(
        "Example D2-C: a Premium profile's security policy in Prevention covers its endpoint; in Detection it does not")
    func premiumProfile() throws {
        let (loaded, report) = try Self.audit(
            Self.estate(source: "AzureFrontDoor.Backend", frontDoor: Self.premium(mode: "Prevention")))
        let afd = try #require(loaded.network.frontDoors.first)
        #expect(afd.skuName == "Premium_AzureFrontDoor" && afd.wafMode == .prevention)
        #expect(afd.origins.map(\.host) == ["20.0.0.10"])
        #expect(Self.web(report).isEmpty)
        let (_, detecting) = try Self.audit(
            Self.estate(source: "AzureFrontDoor.Backend", frontDoor: Self.premium(mode: "Detection")))
        #expect(Self.web(detecting).map(\.subject) == ["afd/lb"])
    }

    @Test("With the service tag file, Front Door's real prefixes reach the origin directly, and that is no bypass")
    func serviceTagPrefixesAreNoBypass() throws {
        let file =
            #"{"values": [{"name": "AzureFrontDoor.Backend", "properties": {"addressPrefixes": ["147.243.0.0/16"]}}]}"#
        let tags = try ServiceTags.parse(Data(file.utf8), file: "tags.json")
        let (loaded, report) = try Self.audit(
            Self.estate(source: "AzureFrontDoor.Backend", frontDoor: Self.classic(mode: "Prevention")), tags: tags)
        #expect(Self.web(report).isEmpty, "\(Self.web(report).map(\.message))")
        let flow = Flow(
            source: IPv4Address("147.243.0.0")!, destination: IPv4Address("20.0.0.10")!, protocol: .tcp,
            destinationPort: 443)
        let got = ReachabilityEngine(network: loaded.network).verify(flow)
        let brute = BruteForceEvaluator(network: loaded.network).verify(flow)
        #expect(got.verdict == .allowed && brute.0 == .allowed && brute.1 == ["web-nsg/AllowHttps"])
        // With the NSG open to the internet, the rest of the internet is the bypass.
        let (_, open) = try Self.audit(
            Self.estate(source: "Internet", frontDoor: Self.classic(mode: "Prevention")), tags: tags)
        #expect(Self.web(open).map(\.subject) == ["web-lb/https"])
    }

    @Test(
        "A Front Door endpoint naming a WAF policy the input lacks is a warning, and the Front Door is no WAF in Prevention"
    )
    func missingPolicy() throws {
        let text = Self.estate(source: "AzureFrontDoor.Backend", frontDoor: Self.classic(mode: "Prevention"))
            .replacingOccurrences(of: "\"name\": \"fdwaf\", \"type\"", with: "\"name\": \"otherwaf\", \"type\"")
            .replacingOccurrences(
                of: "FrontDoorWebApplicationFirewallPolicies/fdwaf\", \"name\": \"otherwaf\"",
                with: "FrontDoorWebApplicationFirewallPolicies/otherwaf\", \"name\": \"otherwaf\"")
        let (loaded, report) = try Self.audit(text)
        #expect(
            loaded.warnings.contains { $0.contains("Front Door 'fd' names WAF policy") && $0.contains("fdwaf") },
            "\(loaded.warnings)")
        #expect(Self.web(report).map(\.subject) == ["fd/web/web.example.cloudapp.azure.com"])
    }
}
