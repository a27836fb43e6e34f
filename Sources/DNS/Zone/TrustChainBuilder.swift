import Findings

/// Builds a signed zone's chain of trust for the HTML report from what the analysis already has:
/// the trust anchors (DS) and which apex key each names, the DNSKEY RRset and which keys sign it, and
/// the other RRsets and which keys sign them. RRsets whose signatures all verify now are drawn as one
/// node per key ("N RRsets"); every RRset with a bogus or out-of-window signature gets its own node,
/// up to `listedProblems`, as DNSViz draws each RRset (a zone of a million names would not fit).
enum TrustChainBuilder {
    static let listedProblems = 12

    static func chain(
        zone: ZoneStructure, verdicts: ZoneVerdicts, anchors: [TrustAnchor], origin: DomainName
    ) -> TrustChain? {
        let keys = zone.apexKeys
        guard !keys.isEmpty, let dnskeySet = zone.rrsetIndex(origin, .dnskey) else { return nil }
        var nodes: [TrustChain.Node] = []
        var links: [TrustChain.Link] = []
        func keyID(_ tag: UInt16, _ algorithm: UInt8) -> String { "key-\(tag)-\(algorithm)" }

        for (n, anchor) in anchors.enumerated() {
            let named = keys.filter { anchor.matches($0, owner: origin) }
            nodes.append(
                TrustChain.Node(
                    id: "ds-\(n)", kind: .ds, label: "DS \(anchor.keyTag)", detail: anchor.summary,
                    status: named.isEmpty ? .bogus : .secure))
            for key in named {
                links.append(TrustChain.Link(from: "ds-\(n)", to: keyID(key.keyTag, key.algorithm), status: .secure))
            }
        }
        for key in keys {
            let role = key.flags & 1 == 1 ? "KSK" : "ZSK"
            nodes.append(
                TrustChain.Node(
                    id: keyID(key.keyTag, key.algorithm), kind: .dnskey, label: "DNSKEY \(key.keyTag)",
                    detail: "\(role), \(DNSSECAlgorithm.name(key.algorithm))", status: .secure))
        }

        // Signatures of each RRset, as links from the signing key. Keys are numbered `tag << 8 | algorithm`
        // in the loop over every RRset and named (`keyName`) only for what is drawn.
        func number(_ tag: UInt16, _ algorithm: UInt8) -> UInt32 { UInt32(tag) << 8 | UInt32(algorithm) }
        func keyName(_ number: UInt32) -> String { keyID(UInt16(number >> 8), UInt8(number & 0xFF)) }
        // A handful of keys: searched in a list, not hashed, in the loop over every RRset.
        let keyNumbers = Array(Set(keys.map { number($0.keyTag, $0.algorithm) }))
        var healthy: [UInt32: Int] = [:]
        var problems = 0
        var unlisted = 0
        var byKey: [(key: UInt32, status: TrustChain.Status)] = []
        for index in zone.packedSets.indices {
            let set = zone.packedSets[index]
            guard set.type != .rrsig, ZoneStructure.mustBeSigned(type: set.type, authority: zone.authority(of: index))
            else {
                continue
            }
            byKey.removeAll(keepingCapacity: true)
            for verdict in verdicts.of(index, count: set.signatures.count) {
                let key = number(verdict.keyTag, verdict.algorithm)
                guard keyNumbers.contains(key) else { continue }
                let status: TrustChain.Status
                switch verdict.outcome {
                case .valid: status = verdict.window == .current ? .secure : .expired
                case .invalid, .badLabels: status = .bogus
                case .unsupported: status = .insecure
                case .noKey: continue
                }
                // A key's best signature over the RRset decides its link (a valid one beside an
                // expired one still validates).
                if let seen = byKey.firstIndex(where: { $0.key == key }) {
                    if rank(byKey[seen].status) < rank(status) { byKey[seen].status = status }
                } else {
                    byKey.append((key, status))
                }
            }
            let isKeySet = index == dnskeySet
            let allSecure = !byKey.isEmpty && byKey.allSatisfy { $0.status == .secure }
            if isKeySet || !allSecure {
                if !isKeySet && problems >= listedProblems {
                    unlisted += 1
                    continue
                }
                if !isKeySet { problems += 1 }
                let id = isKeySet ? "dnskey-rrset" : "rrset-\(index)"
                let worst = byKey.map(\.status).min(by: { rank($0) < rank($1) }) ?? .bogus
                nodes.append(
                    TrustChain.Node(
                        id: id, kind: .rrset, label: "\(zone.name(of: index).owner.text) \(set.type)",
                        detail: byKey.isEmpty ? "no signature by a zone key" : "\(byKey.count) signing key(s)",
                        status: byKey.contains { $0.status == .secure } ? .secure : worst))
                for (key, status) in byKey.map({ (keyName($0.key), $0.status) }).sorted(by: { $0.0 < $1.0 }) {
                    links.append(TrustChain.Link(from: key, to: id, status: status))
                }
            } else {
                for entry in byKey { healthy[entry.key, default: 0] += 1 }
            }
        }
        for (key, count) in healthy.map({ (keyName($0.key), $0.value) }).sorted(by: { $0.0 < $1.0 }) {
            let id = "healthy-\(key)"
            nodes.append(
                TrustChain.Node(
                    id: id, kind: .rrset, label: "\(count) RRset\(count == 1 ? "" : "s")",
                    detail: "every signature verifies", status: .secure))
            links.append(TrustChain.Link(from: key, to: id, status: .secure))
        }
        if unlisted > 0 {
            nodes.append(
                TrustChain.Node(
                    id: "unlisted", kind: .rrset, label: "\(unlisted) more RRsets",
                    detail: "with signature problems, not drawn (see the findings)", status: .bogus))
        }
        return TrustChain(zone: origin.text, nodes: nodes, links: links)
    }

    /// Higher is better: what a validator can use.
    private static func rank(_ status: TrustChain.Status) -> Int {
        switch status {
        case .secure: 3
        case .insecure: 2
        case .expired: 1
        case .bogus: 0
        }
    }
}
