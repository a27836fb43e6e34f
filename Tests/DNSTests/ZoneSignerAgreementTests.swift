import Findings
import Foundation
import Testing

@testable import DNS

/// Zones signed here, at test time, by BIND's `dnssec-signzone` and by `ldns-signzone` with fresh
/// ECDSA keys, with the features real zones have: a DNAME with data below it (occluded, RFC 6672
/// §2.3), a DNAME at the apex, CAA and HINFO records, a delegation with glue, NSEC3 with opt-out and
/// NSEC3PARAM variations. The expected verdict of each is BIND's `dnssec-verify` on the same file;
/// the damaged ones are also named after the RFC rule they break. Signatures are judged at the real
/// clock, as `dnssec-verify` judges them.
@Suite(
    "Zones signed by dnssec-signzone and ldns-signzone get dnssec-verify's verdict",
    .enabled(
        if: ZoneSigning.available, "needs ldns-keygen, ldns-signzone, dnssec-keygen, dnssec-signzone, dnssec-verify"))
struct ZoneSignerAgreementTests {
    static let base = """
        $ORIGIN example.com.
        $TTL 3600
        @        IN SOA ns1 hostmaster 1 7200 3600 1209600 3600
        @        IN NS  ns1
        @        IN CAA 0 issue "letsencrypt.org"
        ns1      IN A   192.0.2.1
        old      IN DNAME example.net.
        www.old  IN A   192.0.2.7
        sub      IN NS  ns.sub
        ns.sub   IN A   192.0.2.9
        host     IN HINFO "PC" "Linux"

        """

    /// The same zone with its DNAME at the apex: every other name below the apex is occluded.
    static let apexDNAME = """
        $ORIGIN example.com.
        $TTL 3600
        @        IN SOA ns1.example.net. hostmaster 1 7200 3600 1209600 3600
        @        IN NS  ns1.example.net.
        @        IN DNAME example.net.
        www      IN A   192.0.2.7

        """

    /// An empty non-terminal (`ent`) above two insecure delegations: opt-out lets both go without
    /// NSEC3, and the empty non-terminal with them (RFC 5155 §7.1; Knot's nsec3_optout_ent.valid).
    static let optOutENT = """
        $ORIGIN example.com.
        $TTL 3600
        @            IN SOA ns1 hostmaster 1 7200 3600 1209600 3600
        @            IN NS  ns1
        ns1          IN A   192.0.2.1
        deleg1.ent   IN NS  ns.outofzone.net.
        deleg2.ent   IN NS  ns.outofzone.net.
        www          IN A   192.0.2.2

        """

    static let good: [(String, ZoneSigning.Signer, String)] = [
        ("opt-out ENT", .bind(["-3", "-", "-A"]), optOutENT),
        ("opt-out ENT", .ldns(["-n", "-t", "0", "-p"]), optOutENT),
        ("base", .ldns([]), base), ("base", .ldns(["-n", "-t", "0"]), base),
        ("base", .ldns(["-n", "-t", "0", "-p"]), base),
        ("base", .bind([]), base), ("base", .bind(["-3", "-"]), base), ("base", .bind(["-3", "-", "-A"]), base),
        ("apex DNAME", .bind([]), apexDNAME), ("apex DNAME", .bind(["-3", "-"]), apexDNAME),
        ("NSEC3PARAM with flags 1", .ldns([]), base + "@ IN NSEC3PARAM 1 1 0 -\n"),
        ("NSEC3PARAM of unknown hash 7", .ldns([]), base + "@ IN NSEC3PARAM 7 0 0 -\n"),
    ]

    @Test("a good signed zone passes dnssec-verify and has no finding at medium or above", arguments: good.indices)
    func goodZones(_ index: Int) throws {
        let (name, signer, text) = Self.good[index]
        let signed = try ZoneSigning.sign(text, with: signer)
        defer { ZoneSigning.remove(signed) }
        #expect(ZoneSigning.dnssecVerify(signed) == 0, "dnssec-verify rejects \(name) signed by \(signer)")
        let report = try ZoneSigning.analyse(signed)
        #expect(!report.fails(.medium), "\(name) signed by \(signer): \(report.verdictLines)")
    }

    static let damaged: [(String, String, String)] = [
        (
            "an NSEC below the zone cut (RFC 4035 §2.3)",
            "ns.sub.example.com. 3600 IN NSEC sub.example.com. A RRSIG NSEC",
            "ns.sub.example.com."
        ),
        ("an NSEC outside the zone", "foo.example.net. 3600 IN NSEC example.com. A RRSIG NSEC", "foo.example.net."),
        (
            "an NSEC below a DNAME (RFC 6672 §2.3)", "www.old.example.com. 3600 IN NSEC sub.example.com. A RRSIG NSEC",
            "www.old.example.com."
        ),
        (
            "a DS at the apex (RFC 4034 §5)",
            "example.com. 3600 IN DS 1 13 2 8F2B2C1D3E4F5A6B7C8D9E0F1A2B3C4D5E6F7A8B9C0D1E2F3A4B5C6D7E8F9A0B",
            "example.com."
        ),
    ]

    @Test(
        "a record where the zone may have none fails dnssec-verify and is dns.dnssec-misplaced-record",
        arguments: damaged.indices)
    func misplacedRecords(_ index: Int) throws {
        let (what, line, owner) = Self.damaged[index]
        let signed = try ZoneSigning.sign(Self.base, with: .bind([]))
        defer { ZoneSigning.remove(signed) }
        let handle = try FileHandle(forWritingTo: signed)
        handle.seekToEndOfFile()
        handle.write(Data((line + "\n").utf8))
        try handle.close()
        #expect(ZoneSigning.dnssecVerify(signed) != 0, "dnssec-verify accepts \(what)")
        let report = try ZoneSigning.analyse(signed)
        #expect(
            report.findings.contains { $0.check.id == "dns.dnssec-misplaced-record" && $0.subject == owner }, "\(what)")
        #expect(report.fails(.high))
    }

    @Test("a malformed CDS delete (RFC 8078 §4: only CDS 0 0 0 00) is a finding; the exact form is not")
    func cdsDeleteForms() throws {
        let bad = try ZoneSigning.sign(Self.base + "@ IN CDS 0 0 0 01\n", with: .ldns([]))
        let good = try ZoneSigning.sign(Self.base + "@ IN CDS 0 0 0 00\n@ IN CDNSKEY 0 3 0 AA==\n", with: .ldns([]))
        defer {
            ZoneSigning.remove(bad)
            ZoneSigning.remove(good)
        }
        let badReport = try ZoneSigning.analyse(bad)
        #expect(
            badReport.findings.contains {
                $0.check.id == "dns.dnssec-cds-mismatch" && $0.evidence["problem"] == "malformed-delete"
            })
        #expect(!(try ZoneSigning.analyse(good)).ids().contains("dns.dnssec-cds-mismatch"))
    }
}

/// Faults that BIND's `dnssec-verify` does not look at but Knot's semantic checks (`knotc zone-check`)
/// and the RFCs name. Knot refuses any data below a DNAME, so these zones have none.
@Suite(
    "Faults Knot's zone-check reports, in zones signed by ldns-signzone",
    .enabled(if: ZoneSigning.available && ZoneSigning.path(of: "knotc") != nil, "needs knotc and the signers"))
struct ZoneKnotAgreementTests {
    static let base = """
        $ORIGIN example.com.
        $TTL 3600
        @        IN SOA ns1 hostmaster 1 7200 3600 1209600 3600
        @        IN NS  ns1
        @        IN CAA 0 issue "letsencrypt.org"
        ns1      IN A   192.0.2.1
        sub      IN NS  ns.sub
        ns.sub   IN A   192.0.2.9

        """

    @Test("the plain signed zone passes knotc zone-check -f and has no finding at medium or above")
    func plainZone() throws {
        let signed = try ZoneSigning.sign(Self.base, with: .ldns([]))
        defer { ZoneSigning.remove(signed) }
        #expect(try ZoneSigning.knotCheck(signed) == 0)
        #expect(!(try ZoneSigning.analyse(signed)).fails(.medium))
    }

    @Test("an RRSIG covering RRSIG: knotc rejects it (RFC 4035 §2.2: RRSIGs are not signed), a high finding")
    func signedSignature() throws {
        let signed = try ZoneSigning.sign(Self.base, with: .ldns([]))
        defer { ZoneSigning.remove(signed) }
        let text = try String(contentsOf: signed, encoding: .utf8)
        let soaSignature = try #require(text.split(separator: "\n").first { $0.contains("\tRRSIG\tSOA ") })
        let rewritten = soaSignature.replacingOccurrences(of: "\tRRSIG\tSOA ", with: "\tRRSIG\tRRSIG ")
        try (text + rewritten + "\n").write(to: signed, atomically: true, encoding: .utf8)
        #expect(try ZoneSigning.knotCheck(signed) != 0)
        let report = try ZoneSigning.analyse(signed)
        #expect(report.findings.contains { $0.check.id == "dns.dnssec-misplaced-record" && $0.severity == .high })
    }

    @Test("a DS of unknown digest type 9 at a delegation: knotc warns (invalid algorithm in DS), a medium finding")
    func unknownDigestType() throws {
        let ds = "sub IN DS 12345 13 9 8F2B2C1D3E4F5A6B7C8D9E0F1A2B3C4D5E6F7A8B9C0D1E2F3A4B5C6D7E8F9A0B\n"
        let signed = try ZoneSigning.sign(Self.base + ds, with: .ldns([]))
        defer { ZoneSigning.remove(signed) }
        #expect(try ZoneSigning.knotCheck(signed) != 0)
        let report = try ZoneSigning.analyse(signed)
        #expect(report.findings.contains { $0.check.id == "dns.dnssec-weak-algorithm" && $0.severity == .medium })
    }

    @Test("an extra RRSIG by a key the zone lacks beside valid ones: knotc accepts it, so only a low finding")
    func strangerBesideValid() throws {
        let signed = try ZoneSigning.sign(Self.base, with: .ldns([]))
        let other = try ZoneSigning.sign(Self.base, with: .ldns([]))
        defer {
            ZoneSigning.remove(signed)
            ZoneSigning.remove(other)
        }
        let stranger = try #require(
            try String(contentsOf: other, encoding: .utf8).split(separator: "\n").first {
                $0.hasPrefix("ns1.example.com.") && $0.contains("\tRRSIG\tA ")
            })
        let text = try String(contentsOf: signed, encoding: .utf8)
        try (text + stranger + "\n").write(to: signed, atomically: true, encoding: .utf8)
        #expect(try ZoneSigning.knotCheck(signed) == 0)
        let report = try ZoneSigning.analyse(signed)
        #expect(report.verdictLines == ["dns.dnssec-missing-signature low ns1.example.com. A"])
    }

    @Test("a DS at the apex of an unsigned zone is a high finding (RFC 4034 §5; newer Knot: DS at the zone apex)")
    func dsAtApexUnsigned() throws {
        let file = try ZoneSamples.temporaryZone(
            Self.base + "@ IN DS 12345 13 2 8F2B2C1D3E4F5A6B7C8D9E0F1A2B3C4D5E6F7A8B9C0D1E2F3A4B5C6D7E8F9A0B\n",
            name: "example.com.zone")
        defer { ZoneSigning.remove(file) }
        // Knot 3.2 (Debian 12) does not check this yet; newer Knot's semantic checks call it fatal ("DS at
        // the zone apex"), as RFC 4034 §5 puts the DS at the delegation point, in the parent.
        let report = try ZoneSigning.analyse(file)
        #expect(
            report.findings.contains {
                $0.check.id == "dns.dnssec-misplaced-record" && $0.evidence["problem"] == "ds-at-apex"
            })
    }

    @Test("a CDS in an unsigned zone is reported: a parent takes CDS only from a zone it can validate (RFC 7344 §4.1)")
    func cdsInUnsignedZone() throws {
        let file = try ZoneSamples.temporaryZone(
            Self.base + "@ IN CDS 12345 13 2 8F2B2C1D3E4F5A6B7C8D9E0F1A2B3C4D5E6F7A8B9C0D1E2F3A4B5C6D7E8F9A0B\n")
        defer { ZoneSigning.remove(file) }
        let report = try ZoneSigning.analyse(file)
        #expect(
            report.findings.contains {
                $0.check.id == "dns.dnssec-cds-mismatch" && $0.evidence["problem"] == "unsigned-zone"
            })
        #expect(
            !(try ZoneSigning.analyse(try ZoneSamples.temporaryZone(Self.base))).ids().contains(
                "dns.dnssec-cds-mismatch"))
    }
}

/// Signs zone text with fresh keys in a temporary folder.
enum ZoneSigning {
    enum Signer: CustomStringConvertible {
        case ldns([String])
        case bind([String])

        var description: String {
            switch self {
            case .ldns(let options): "ldns-signzone \(options.joined(separator: " "))"
            case .bind(let options): "dnssec-signzone \(options.joined(separator: " "))"
            }
        }
    }

    static let tools = ["ldns-keygen", "ldns-signzone", "dnssec-keygen", "dnssec-signzone", "dnssec-verify"]

    static var available: Bool { tools.allSatisfy { path(of: $0) != nil } }

    static func path(of tool: String) -> String? {
        ["/usr/bin/\(tool)", "/usr/sbin/\(tool)"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs a tool in `folder`; its standard output.
    @discardableResult
    static func run(_ tool: String, _ arguments: [String], in folder: URL) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path(of: tool) ?? tool)
        process.arguments = arguments
        process.currentDirectoryURL = folder
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// The signed zone file made from `text`.
    static func sign(_ text: String, with signer: Signer) throws -> URL {
        let input = try ZoneSamples.temporaryZone(text, name: "input.zone")
        let folder = input.deletingLastPathComponent()
        let output = folder.appendingPathComponent("signed.zone")
        switch signer {
        case .ldns(let options):
            let zsk = try run("ldns-keygen", ["-a", "ECDSAP256SHA256", "example.com"], in: folder).output
            let ksk = try run("ldns-keygen", ["-k", "-a", "ECDSAP256SHA256", "example.com"], in: folder).output
            let keys = [zsk, ksk].map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            try run(
                "ldns-signzone", ["-o", "example.com", "-f", output.path] + options + [input.path] + keys, in: folder)
        case .bind(let options):
            try run("dnssec-keygen", ["-q", "-a", "ECDSAP256SHA256", "-K", folder.path, "example.com"], in: folder)
            try run(
                "dnssec-keygen", ["-q", "-f", "KSK", "-a", "ECDSAP256SHA256", "-K", folder.path, "example.com"],
                in: folder)
            try run(
                "dnssec-signzone",
                ["-q", "-S", "-K", folder.path, "-o", "example.com", "-f", output.path] + options + [input.path],
                in: folder)
        }
        guard FileManager.default.fileExists(atPath: output.path) else {
            throw InputError(file: output.path, reason: "\(signer) made no signed zone")
        }
        return output
    }

    static func remove(_ file: URL) { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }

    static func dnssecVerify(_ file: URL) -> Int32? {
        try? run("dnssec-verify", ["-q", "-o", "example.com", file.path], in: file.deletingLastPathComponent()).status
    }

    /// `knotc zone-check -f` on `file` (a configuration made beside it; no server runs): 0 when Knot's
    /// semantic checks pass, with -f also on its DNSSEC warnings.
    static func knotCheck(_ file: URL) throws -> Int32 {
        let folder = file.deletingLastPathComponent()
        let zoneFile = folder.appendingPathComponent("example.com.zone")
        if zoneFile.path != file.path {
            try? FileManager.default.removeItem(at: zoneFile)
            try FileManager.default.copyItem(at: file, to: zoneFile)
        }
        let config = folder.appendingPathComponent("knot.conf")
        try """
        server:
            rundir: "\(folder.path)"
        database:
            storage: "\(folder.path)"
        template:
          - id: default
            storage: "\(folder.path)"
            file: "%s.zone"
            semantic-checks: on
        zone:
          - domain: example.com

        """.write(to: config, atomically: true, encoding: .utf8)
        return try run("knotc", ["-c", config.path, "zone-check", "-f", "example.com"], in: folder).status
    }

    static func analyse(_ file: URL) throws -> Report {
        try ZoneAnalyzer.analyze(
            file: file.path,
            options: ZoneCheckOptions(origin: "example.com", now: Int64(Date().timeIntervalSince1970)))
    }
}
