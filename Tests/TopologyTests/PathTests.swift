import Findings
import Foundation
import Testing
import Topology

@Suite("Lateral-movement paths")
struct PathTests {
    func engine(_ yaml: String) throws -> ReachabilityEngine {
        ReachabilityEngine(network: try TopologyLoader.load(documents: [("p.yaml", Data(yaml.utf8))]).network)
    }

    /// A gateway VM with one NIC in the DMZ (public IP, SSH open) and one in an unpeered internal
    /// segment; the database there accepts SSH from its own segment. By network alone the database
    /// is unreachable (the segments are not peered); through the gateway VM it is two hops:
    /// internet → gateway (SSH), then gateway's internal NIC → database (SSH).
    static let dualHomed = """
        segments:
          - {name: dmz, addressSpace: 10.1.0.0/16, subnets: [{name: edge, prefix: 10.1.1.0/24, ruleSet: edge}]}
          - {name: internal, addressSpace: 10.2.0.0/16, subnets: [{name: data, prefix: 10.2.1.0/24}]}
        hosts:
          - {name: gw-dmz, machine: gateway, segment: dmz, subnet: edge, address: 10.1.1.4, publicIP: 203.0.113.10}
          - {name: gw-internal, machine: gateway, segment: internal, subnet: data, address: 10.2.1.4}
          - {name: db, segment: internal, subnet: data, address: 10.2.1.9, tags: {tier: crown-jewel}}
        ruleSets:
          - name: edge
            rules:
              - {name: ssh-in, priority: 100, direction: inbound, access: allow, protocol: tcp, source: internet, ports: 22}
        """

    @Test("A VM with NICs in two unpeered segments bridges them: its other NIC is a foothold, not a hop")
    func dualHomedVMBridges() throws {
        let report = try engine(Self.dualHomed).paths(from: .internet)
        #expect(report.unreachable.isEmpty)
        let path = try #require(report.paths.first)
        #expect(path.target == "db")
        #expect(path.hops.map { "\($0.from)->\($0.to):\($0.port)" } == ["internet->gateway:22", "gateway->db:22"])
        #expect(path.hops[1].fromAddress == NetworkAddress("10.2.1.4"))
        #expect(path.hops[0].toAddress == NetworkAddress("203.0.113.10"))
    }

    @Test("Without the shared machine the segments stay apart")
    func withoutMachineUnreachable() throws {
        let yaml = Self.dualHomed.replacingOccurrences(of: "machine: gateway, ", with: "")
        let report = try engine(yaml).paths(from: .internet)
        #expect(report.paths.isEmpty)
        #expect(report.unreachable == ["db"])
    }

    @Test("A target in the same behaviour class as the source still needs its own hop")
    func sameClassNeedsAHop() throws {
        let yaml = """
            segments:
              - {name: s, addressSpace: 10.0.0.0/16, subnets: [{name: a, prefix: 10.0.1.0/24}]}
            hosts:
              - {name: one, segment: s, subnet: a, address: 10.0.1.4}
              - {name: two, segment: s, subnet: a, address: 10.0.1.5, tags: {tier: crown-jewel}}
            """
        let report = try engine(yaml).paths(from: .resource("one"))
        #expect(report.paths.map(\.target) == ["two"])
        #expect(report.paths.first?.hops.count == 1)
        // Default rules allow everything inside the segment; the preferred first port is SSH.
        #expect(report.paths.first?.hops.first?.port == 22)
        #expect(report.paths.first?.hops.first?.decidedBy.map(\.rule) == [])
    }

    @Test("--protocol and --port restrict which hops count")
    func filters() throws {
        let e = try engine(Self.dualHomed)
        #expect(try e.paths(from: .internet, protocol: .udp).paths.isEmpty)
        #expect(try e.paths(from: .internet, port: 3389).paths.isEmpty)
        #expect(try e.paths(from: .internet, protocol: .tcp, port: 22).paths.count == 1)
    }
}

@Suite("Endpoints on the command line")
struct EndpointTests {
    @Test("Each endpoint form parses; malformed ones name the expected form")
    func parsing() throws {
        #expect(try Endpoint(parsing: "internet") == .internet)
        #expect(try Endpoint(parsing: "Internet") == .internet)
        #expect(try Endpoint(parsing: "10.0.1.4") == .address(NetworkAddress("10.0.1.4")!))
        #expect(try Endpoint(parsing: "vm-db1") == .resource("vm-db1"))
        #expect(try Endpoint(parsing: "subnet:vnet-hub/snet-web") == .subnet(network: "vnet-hub", subnet: "snet-web"))
        #expect(try Endpoint(parsing: "tag:tier=crown-jewel") == .tag(key: "tier", value: "crown-jewel"))
        #expect(try Endpoint(parsing: "tag:tier=") == .tag(key: "tier", value: ""))
        #expect(throws: InputError.self) { try Endpoint(parsing: "tag:tier") }
        #expect(throws: InputError.self) { try Endpoint(parsing: "subnet:only-vnet") }
        #expect(throws: InputError.self) { try Endpoint(parsing: " ") }
    }
}

@Suite("verify-flows written piece by piece")
struct StreamedFlowVerificationTests {
    /// The samples with flow lists: NSG rules only; routes and Azure Firewall rules (whose
    /// `decidedBy` entries have their own shape, docs/output.md); internal doors and Front Door.
    @Test(
        "the streamed JSON and text are byte for byte the whole documents, whatever the piece size",
        arguments: ["azure-hub-and-spoke", "azure-hub-firewall-udr-spokes", "azure-front-door-internal-doors"])
    func streamedEqualsWhole(sample: String) throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let network = try TopologyLoader.load(files: [
            url.appendingPathComponent("Topologies/\(sample).json").path
        ])
        .network
        let requests = try FlowList.load(
            file: url.appendingPathComponent("Topologies/flows/\(sample).csv").path)
        let engine = ReachabilityEngine(network: network)
        let whole = FlowVerificationReport(engine: engine, requests: requests)
        for chunk in [1, 100, 1 << 20] {
            var json = ""
            var pieces = 0
            FlowVerificationReport.write(engine: engine, requests: requests, json: true, chunk: chunk) {
                json += $0
                pieces += 1
            }
            #expect(json == whole.json.prettyText + "\n", "chunk \(chunk)")
            if sample == "azure-hub-firewall-udr-spokes" {
                // Routes and firewall rules keep their own shape (docs/output.md), not an NSG's.
                #expect(json.contains(#""kind": "route""#) && json.contains(#""kind": "firewallRule""#))
                #expect(!json.contains(#""nsg": "rt-"#))
            }
            #expect(chunk > 1000 || pieces > requests.count / 2, "chunk \(chunk): \(pieces) pieces")
            var text = ""
            FlowVerificationReport.write(engine: engine, requests: requests, json: false, chunk: chunk) { text += $0 }
            #expect(text == whole.text, "chunk \(chunk)")
        }
        var empty = ""
        FlowVerificationReport.write(engine: engine, requests: [], json: true) { empty += $0 }
        #expect(empty == FlowVerificationReport(engine: engine, requests: []).json.prettyText + "\n")
    }
}

@Suite("FLOWS.csv rows")
struct FlowListTests {
    @Test("plain and unusual rows read alike: spaces, CRLF, comments, case, numeric protocols, no ICMP port")
    func rowsOfEveryShape() throws {
        let csv = """
            # a comment before the header
            destination, source ,protocol,port,source_port\r
            10.0.1.4,198.51.100.7,tcp,22,\r
              10.0.1.4 , 10.0.2.5 , UDP , 53 , 1234
            10.0.1.4,10.0.2.5,6,443,

            10.0.1.4,10.0.2.5,icmp,,
            10.0.1.4,10.0.2.5,Icmp,8,
            """
        let rows = try FlowList.parse(Data(csv.utf8), file: "flows.csv")
        // Worked out by hand from the header's column order (destination first).
        #expect(rows.map(\.line) == [3, 4, 5, 7, 8])
        #expect(
            rows.map { $0.flow.source.description } == ["198.51.100.7", "10.0.2.5", "10.0.2.5", "10.0.2.5", "10.0.2.5"])
        #expect(rows.map(\.flow.protocol) == [.tcp, .udp, .tcp, .icmp, .icmp])
        #expect(rows.map(\.flow.destinationPort) == [22, 53, 443, 0, 8])
        #expect(rows.map(\.flow.sourcePort) == [Flow.defaultSourcePort, 1234, Flow.defaultSourcePort, 50000, 50000])
        #expect(rows.map(\.hasPort) == [true, true, true, false, true])
    }

    @Test("a bad row is refused with its line, whichever reader met it first")
    func badRows() {
        for (row, message) in [
            ("10.0.1.4,10.0.2.256,tcp,22", "source '10.0.2.256' is not an IPv4 or IPv6 address"),
            ("10.0.1.4,2001:db8::1::2,tcp,22", "source '2001:db8::1::2' is not an IPv4 or IPv6 address"),
            (
                "fe80::1,fe80::2%eth0,tcp,22",
                "source 'fe80::2%eth0' is not an IP address: zone ids ('%' and an interface) have no meaning in an Azure network"
            ),
            (
                "10.0.1.4,2001:db8::5,tcp,22",
                "source 2001:db8::5 and destination 10.0.1.4 are of different IP families; Azure translates no flow between IPv4 and IPv6"
            ),
            ("10.0.1.4,10.0.2.5,tcp,65536", "port '65536' is not 0-65535"),
            ("10.0.1.4,10.0.2.5,gre,1", "protocol 'gre' is not tcp, udp, icmp, esp or ah"),
            ("10.0.1.4,10.0.2.5,tcp,", "a tcp flow needs a port"),
        ] {
            let csv = "destination,source,protocol,port\n10.0.1.4,10.0.2.5,tcp,22\n\(row)\n"
            #expect(throws: InputError.self) { try FlowList.parse(Data(csv.utf8), file: "f.csv") }
            do {
                _ = try FlowList.parse(Data(csv.utf8), file: "f.csv")
            } catch {
                #expect("\(error)".contains("f.csv: line 3: \(message)"), "\(error)")
            }
        }
    }
}
