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
        let keyIDs = Set(keys.map { keyID($0.keyTag, $0.algorithm) })

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

        // Signatures of each RRset, as links from the signing key.
        var healthy: [String: Int] = [:]
        var problems = 0
        var unlisted = 0
        for index in zone.packedSets.indices {
            let set = zone.packedSets[index]
            let name = zone.name(of: index)
            guard set.type != .rrsig, ZoneStructure.mustBeSigned(type: set.type, authority: name.authority) else {
                continue
            }
            var byKey: [String: TrustChain.Status] = [:]
            for verdict in verdicts.of(index, count: set.signatures.count) {
                let id = keyID(verdict.keyTag, verdict.algorithm)
                guard keyIDs.contains(id) else { continue }
                let status: TrustChain.Status
                switch verdict.outcome {
                case .valid: status = verdict.window == .current ? .secure : .expired
                case .invalid, .badLabels: status = .bogus
                case .unsupported: status = .insecure
                case .noKey: continue
                }
                // A key's best signature over the RRset decides its link (a valid one beside an
                // expired one still validates).
                if let seen = byKey[id], rank(seen) >= rank(status) { continue }
                byKey[id] = status
            }
            let isKeySet = index == dnskeySet
            let allSecure = !byKey.isEmpty && byKey.values.allSatisfy { $0 == .secure }
            if isKeySet || !allSecure {
                if !isKeySet && problems >= listedProblems {
                    unlisted += 1
                    continue
                }
                if !isKeySet { problems += 1 }
                let id = isKeySet ? "dnskey-rrset" : "rrset-\(index)"
                let worst = byKey.values.min(by: { rank($0) < rank($1) }) ?? .bogus
                nodes.append(
                    TrustChain.Node(
                        id: id, kind: .rrset, label: "\(name.owner.text) \(set.type)",
                        detail: byKey.isEmpty ? "no signature by a zone key" : "\(byKey.count) signing key(s)",
                        status: byKey.values.contains(.secure) ? .secure : worst))
                for (key, status) in byKey.sorted(by: { $0.key < $1.key }) {
                    links.append(TrustChain.Link(from: key, to: id, status: status))
                }
            } else {
                for key in byKey.keys { healthy[key, default: 0] += 1 }
            }
        }
        for (key, count) in healthy.sorted(by: { $0.key < $1.key }) {
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
