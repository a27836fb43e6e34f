import Findings
import Foundation
import Testing

@testable import DNS

/// The verifier checks ECDSA through libcrypto directly and every other algorithm through libldns. The
/// committed samples are all P-256 (and RSASHA1 for the weak-algorithm one), so these tests sign a
/// small zone at test time with each algorithm ldns-signzone knows, and hold exposure's verdict against
/// ldns-verify-zone's, before and after one signature is damaged.
@Suite(
    "Signatures of each algorithm verify as ldns-verify-zone judges them",
    .enabled(
        if: ZoneSamples.hasTool("ldns-signzone") && ZoneSamples.hasTool("ldns-verify-zone"),
        "ldns-keygen, ldns-signzone and ldns-verify-zone (ldnsutils) are not installed"))
struct ZoneAlgorithmTests {
    static let algorithms = ["ECDSAP256SHA256", "ECDSAP384SHA384", "ED25519", "RSASHA256"]

    @Test("a freshly signed zone has no bogus signature, and one damaged signature is found", arguments: algorithms)
    func signAndDamage(_ algorithm: String) throws {
        let folder = try #require(try SignedZone.make(algorithm: algorithm))
        defer { try? FileManager.default.removeItem(at: folder) }
        let signed = folder.appendingPathComponent("signed.zone").path

        let healthy = try analyse(signed)
        #expect(!healthy.ids().contains("dns.dnssec-bogus-signature"), "\(healthy.verdictLines)")
        #expect(healthy.ids().isDisjoint(with: ["dns.dnssec-missing-signature", "dns.dnssec-nsec-chain"]))
        #expect(ZoneSamples.referenceStatus("ldns-verify-zone", ["-t", "20261121000000", signed]) == 0)

        try SignedZone.damageSignature(in: signed, owner: "host17.example.com.", type: "A")
        let damaged = try analyse(signed)
        let bogus = damaged.findings.filter { $0.check.id == "dns.dnssec-bogus-signature" }
        #expect(bogus.count == 1, "\(damaged.verdictLines)")
        #expect(bogus.first?.subject.contains("host17.example.com.") == true)
        #expect(bogus.first?.evidence["type"] == .string("A"))
        let reference = ZoneSamples.referenceStatus("ldns-verify-zone", ["-t", "20261121000000", signed])
        #expect(reference != nil && reference != 0)
    }

    @Test("ECDSA r and s become minimal DER integers (X.690 §8.3): leading zeros go, a high bit gains a 00")
    func derIntegers() {
        let r: [UInt8] = [0x00, 0x00, 0x80, 0x01]
        let s: [UInt8] = [0x00, 0x00, 0x00, 0x00]
        let t: [UInt8] = [0x00, 0x7F, 0xFF, 0x00]
        var out = [UInt8](repeating: 0xEE, count: 16)
        func encode(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
            let length = a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    out.withUnsafeMutableBufferPointer { ZoneSignatureVerifier.encodeDER(r: a, s: b, into: $0) }
                }
            }
            return Array(out[..<length])
        }
        // SEQUENCE(8) { INTEGER(3) 00 80 01, INTEGER(1) 00 }
        #expect(encode(r, s) == [0x30, 0x08, 0x02, 0x03, 0x00, 0x80, 0x01, 0x02, 0x01, 0x00])
        // SEQUENCE(8) { INTEGER(3) 7F FF 00, INTEGER(1) 00 }: 7F has no high bit, so no padding
        #expect(encode(t, s) == [0x30, 0x08, 0x02, 0x03, 0x7F, 0xFF, 0x00, 0x02, 0x01, 0x00])
    }

    private func analyse(_ path: String) throws -> Report {
        try ZoneAnalyzer.analyze(file: path, options: ZoneCheckOptions(origin: "example.com", now: ZoneSamples.now))
    }
}

/// A zone of 40 names signed with ldns-keygen and ldns-signzone in a temporary folder.
enum SignedZone {
    /// The folder holding `signed.zone`, or nil when ldnsutils is not installed.
    static func make(algorithm: String) throws -> URL? {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/ldns-signzone") else { return nil }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("exposure-alg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var text = "$ORIGIN example.com.\n$TTL 3600\n@ IN SOA ns1 hostmaster 1 7200 3600 1209600 3600\n"
        text += "@ IN NS ns1\nns1 IN A 192.0.2.1\n"
        for n in 0..<40 { text += "host\(n) IN A 198.51.100.\(n)\nhost\(n) IN TXT \"name \(n)\"\n" }
        try text.write(to: folder.appendingPathComponent("unsigned.zone"), atomically: true, encoding: .utf8)
        let size = algorithm.hasPrefix("RSA") ? ["-b", "2048"] : []
        let zsk = try run("/usr/bin/ldns-keygen", ["-a", algorithm] + size + ["example.com"], in: folder)
        let ksk = try run("/usr/bin/ldns-keygen", ["-k", "-a", algorithm] + size + ["example.com"], in: folder)
        _ = try run(
            "/usr/bin/ldns-signzone",
            ["-o", "example.com", "-f", "signed.zone", "-i", "20260101000000", "-e", "20360101000000", "unsigned.zone"]
                + [zsk, ksk].map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }, in: folder)
        return folder
    }

    /// Changes one base64 character in the middle of the signature of `owner`'s RRSIG over `type`.
    static func damageSignature(in path: String, owner: String, type: String) throws {
        var lines = try String(contentsOfFile: path, encoding: .utf8).components(separatedBy: "\n")
        let index = try #require(
            lines.firstIndex { line in
                let fields = line.split(whereSeparator: { $0 == "\t" || $0 == " " })
                return fields.count > 5 && fields[0] == owner[...] && fields[3] == "RRSIG" && fields[4] == type[...]
            })
        var fields = lines[index].split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        var signature = Array(fields[fields.count - 1])
        let middle = signature.count / 2
        signature[middle] = signature[middle] == "A" ? "B" : "A"
        fields[fields.count - 1] = String(signature)
        lines[index] = fields.joined(separator: " ")
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// Runs a tool in `folder` and returns what it printed; throws when it fails.
    private static func run(_ tool: String, _ arguments: [String], in folder: URL) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.currentDirectoryURL = folder
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        struct ToolFailed: Error { var tool: String }
        guard process.terminationStatus == 0 else { throw ToolFailed(tool: tool) }
        return String(decoding: data, as: UTF8.self)
    }
}
