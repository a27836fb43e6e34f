import Findings
import Foundation
import Testing

@testable import Correlation

/// Input that cannot support a verdict: clear warnings and no false "unused" finding, or exit 2
/// with the file named.
@Suite("Correlation on captures and topologies that cannot say much")
struct BadInputTests {
    static let topology = packageRoot + "/Topologies/correlation-every-check.json"
    /// 2026-11-30 09:00:00 UTC.
    static let start = 1_796_029_200.0

    static func correlate(_ topology: String, _ writer: PcapWriter, minimumSpan: Double = 3600) throws -> Report {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let capture = try scratch.write("capture.pcap", writer.data)
        return try TrafficCorrelation.correlate(
            topologyFiles: [topology], captureFiles: [capture],
            options: CorrelationOptions(minimumSpanSeconds: minimumSpan))
    }

    static func inputError(_ body: () throws -> Report) -> String? {
        do {
            _ = try body()
            return nil
        } catch let error as InputError {
            return error.description
        } catch {
            return "unexpected \(error)"
        }
    }

    @Test("a capture spanning zero seconds gives no unused-allow and says it spans 0 s")
    func zeroSpan() throws {
        var pcap = PcapWriter()
        pcap.tcp("10.10.1.4", 50000, "10.10.2.4", 8080, flags: 0x02, at: Self.start)
        let report = try Self.correlate(Self.topology, pcap, minimumSpan: 0)
        #expect(!report.findings.contains { $0.check.id == "correlation.unused-allow" })
        #expect(
            report.warnings.contains {
                $0.hasPrefix("the captures span 0 s (2026-11-30T09:00:00Z to 2026-11-30T09:00:00Z)")
            }, "\(report.warnings)")
    }

    @Test("a capture whose addresses lie in no VNet is no evidence: a warning, and no finding")
    func addressesInNoVNet() throws {
        var pcap = PcapWriter()
        pcap.connection("192.0.2.1", 50000, "192.0.2.2", 443, at: Self.start)
        pcap.connection("192.0.2.1", 50001, "192.0.2.2", 443, at: Self.start + 7200)
        let report = try Self.correlate(Self.topology, pcap)
        #expect(report.findings.isEmpty, "\(report.findings.map(\.subject))")
        #expect(
            report.warnings.contains {
                $0.hasPrefix("no address in the captures belongs to the topology (all 2 lie in no VNet")
            }, "\(report.warnings)")
    }

    /// Two VNets both claiming 10.20.5.0/24, each with a NIC whose NSG allows SSH; a long capture
    /// shows only web traffic. Unused-allow must keep quiet about both NSGs, and a warning names the overlap.
    @Test("overlapping VNet address spaces: a warning, and no unused verdict for the NSGs there")
    func overlappingVNets() throws {
        let sub = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network"
        func vnet(_ name: String, _ space: String, _ subnet: String) -> String {
            """
            {"id": "\(sub)/virtualNetworks/\(name)", "name": "\(name)", "type": "Microsoft.Network/virtualNetworks",
             "properties": {"addressSpace": {"addressPrefixes": ["\(space)"]},
               "subnets": [{"id": "\(sub)/virtualNetworks/\(name)/subnets/s", "name": "s",
                 "properties": {"addressPrefix": "\(subnet)", "networkSecurityGroup": {"id": "\(sub)/networkSecurityGroups/\(name)-nsg"}}}]}}
            """
        }
        func nsg(_ name: String) -> String {
            """
            {"id": "\(sub)/networkSecurityGroups/\(name)", "name": "\(name)", "type": "Microsoft.Network/networkSecurityGroups",
             "properties": {"securityRules": [{"name": "AllowSsh", "properties": {"priority": 100, "access": "Allow",
               "direction": "Inbound", "protocol": "Tcp", "sourceAddressPrefix": "*", "sourcePortRange": "*",
               "destinationAddressPrefix": "*", "destinationPortRange": "22"}}]}}
            """
        }
        func nic(_ name: String, _ vnet: String, _ address: String) -> String {
            """
            {"id": "\(sub)/networkInterfaces/\(name)", "name": "\(name)", "type": "Microsoft.Network/networkInterfaces",
             "properties": {"ipConfigurations": [{"name": "c", "properties": {"privateIPAddress": "\(address)",
               "subnet": {"id": "\(sub)/virtualNetworks/\(vnet)/subnets/s"}}}]}}
            """
        }
        let resources = [
            vnet("blue", "10.20.0.0/16", "10.20.5.0/24"), vnet("green", "10.20.5.0/24", "10.20.5.0/24"),
            nsg("blue-nsg"), nsg("green-nsg"), nic("blue-nic", "blue", "10.20.5.4"),
            nic("green-nic", "green", "10.20.5.5"),
        ]
        let scratch = try Scratch()
        defer { scratch.remove() }
        let topology = try scratch.write("overlap.json", "[" + resources.joined(separator: ",") + "]")
        var pcap = PcapWriter()
        pcap.connection("10.20.5.4", 50000, "10.20.5.5", 443, at: Self.start)
        pcap.connection("10.20.5.5", 50001, "10.20.5.4", 443, at: Self.start + 7200)
        let report = try Self.correlate(topology, pcap)
        #expect(!report.findings.contains { $0.check.id == "correlation.unused-allow" }, "\(report.findings)")
        #expect(
            report.warnings.contains {
                $0.hasPrefix("virtual networks 'blue' and 'green' have overlapping address spaces (10.20.5.0/24)")
            }, "\(report.warnings)")
    }

    @Test("a capture with no TCP or UDP packet is refused, naming the file")
    func noTransportPackets() throws {
        var pcap = PcapWriter()
        pcap.icmp("10.10.1.4", "10.10.2.4", at: Self.start)
        let message = Self.inputError { try Self.correlate(Self.topology, pcap) }
        #expect(
            message?.hasSuffix("capture.pcap: none of the capture's 1 packets is TCP or UDP") == true,
            "\(message ?? "")")
    }

    @Test("an empty capture is refused, naming the file")
    func emptyCapture() throws {
        let message = Self.inputError { try Self.correlate(Self.topology, PcapWriter()) }
        #expect(message?.hasSuffix("capture.pcap: the capture holds no packet") == true, "\(message ?? "")")
    }

    @Test("a file that is no capture is refused, naming it")
    func notACapture() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let file = try scratch.write("notes.pcap", "these are notes, not packets\n")
        let message = Self.inputError {
            try TrafficCorrelation.correlate(topologyFiles: [Self.topology], captureFiles: [file])
        }
        #expect(message?.hasPrefix(file + ":") == true, "\(message ?? "")")
    }

    @Test("a topology without any network interface is refused")
    func topologyWithoutInterfaces() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let topology = try scratch.write("empty.json", "[]")
        var pcap = PcapWriter()
        pcap.connection("10.10.1.4", 50000, "10.10.2.4", 8080, at: Self.start)
        let message = Self.inputError { try Self.correlate(topology, pcap) }
        #expect(
            message?.contains("the topology has no virtual network with a network interface") == true,
            "\(message ?? "")")
    }

    /// Azure's documentation: 168.63.129.16 is the platform's address (DNS, DHCP, health probes) and
    /// reaches a VM's private IP directly; it is neither a host of the VNet nor the internet.
    @Test("health probes from Azure's platform address are not judged as internet traffic")
    func platformAddress() throws {
        var pcap = PcapWriter()
        pcap.connection("168.63.129.16", 50000, "10.10.2.4", 8080, at: Self.start)
        pcap.connection("10.10.2.4", 50001, "10.10.3.4", 1433, at: Self.start + 60)
        let report = try Self.correlate(Self.topology, pcap)
        #expect(!report.findings.contains { $0.check.id == "correlation.denied-flow-observed" }, "\(report.findings)")
        #expect(
            report.warnings.contains {
                $0.hasPrefix(
                    "1 flow to or from Azure's platform address 168.63.129.16 (DNS, DHCP, health probes) was not judged"
                )
            }, "\(report.warnings)")
    }
}
