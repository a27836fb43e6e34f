import ArgumentParser
import DNS
import Findings

struct DNSCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dns",
        abstract: "Verify DNSSEC zone hardening and probe DNS servers and resolvers.",
        subcommands: [DNSZone.self, DNSResolver.self, DNSServer.self]
    )
}
