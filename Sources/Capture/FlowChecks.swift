import Findings

/// What the capture checks need beyond the packets: the user's own public ranges (`--internal`) and
/// the approved DNS resolvers (`--approved-resolvers`; nil: the untrusted-resolver check is off).
public struct CaptureOptions: Sendable {
    public var internalPrefixes: [IPPrefix]
    public var approvedResolvers: [IPAddress]?

    public init(internalPrefixes: [IPPrefix] = [], approvedResolvers: [IPAddress]? = nil) {
        self.internalPrefixes = internalPrefixes
        self.approvedResolvers = approvedResolvers
    }

    /// Parses `--internal` and `--approved-resolvers` values (comma-separated); an entry that is not
    /// a prefix or an address is a usage error naming it.
    public init(internalRanges: String?, approvedResolvers: String?) throws(InputError) {
        func entries(_ text: String) -> [String] {
            text.split(separator: ",").map { String(TextScanning.trimmed($0)) }.filter { !$0.isEmpty }
        }
        var prefixes: [IPPrefix] = []
        for entry in internalRanges.map(entries) ?? [] {
            guard let prefix = IPPrefix(text: entry) else {
                throw InputError(file: nil, reason: "--internal: '\(entry)' is not an IP prefix (e.g. 203.0.113.0/24)")
            }
            prefixes.append(prefix)
        }
        var resolvers: [IPAddress]?
        if let approvedResolvers {
            resolvers = []
            for entry in entries(approvedResolvers) {
                guard let address = IPAddress(text: entry) else {
                    throw InputError(file: nil, reason: "--approved-resolvers: '\(entry)' is not an IP address")
                }
                resolvers?.append(address)
            }
        }
        self.init(internalPrefixes: prefixes, approvedResolvers: resolvers)
    }
}

/// Checks judged from a flow's addresses and ports, when it retires: remote management opened from
/// the internet (the service known by its well-known port, or by the server's banner on any port:
/// `ManagementBannerDetector`), and DNS (port 53, or DNS over TLS on 853) sent to a resolver that is
/// not approved.
struct FlowChecks {
    let options: CaptureOptions

    /// Management services by server port (a switch: asked of every retired flow).
    static func managementService(port: UInt16) -> String? {
        switch port {
        case 22: "ssh"
        case 3389: "rdp"
        case 5985, 5986: "winrm"
        case 5900...5903: "vnc"
        case 23: "telnet"
        case 445, 139: "smb"
        default: nil
        }
    }

    static func management(_ name: String) -> LegacyProtocol {
        LegacyProtocol(
            name: name, check: CaptureCatalogue.remoteManagementFromInternet,
            title: "Remote management (\(name)) from the internet",
            risk: "management sessions opened from public addresses are scanned and brute-forced; "
                + "they belong behind a VPN or bastion",
            remediation: CaptureCatalogue.remoteManagementFromInternet.remediation, severity: .high)
    }

    static let management: [String: LegacyProtocol] = Dictionary(
        uniqueKeysWithValues: ["ssh", "rdp", "winrm", "vnc", "telnet", "smb"].map { ($0, management($0)) })

    static let untrustedResolver = LegacyProtocol(
        name: "dns", check: CaptureCatalogue.untrustedResolver, title: "DNS to an unapproved resolver",
        risk: "clients resolve names through a resolver outside the approved ones, bypassing DNS filtering and logging",
        remediation: CaptureCatalogue.untrustedResolver.remediation, severity: .medium)

    /// Whether an observation is a management service a detector recognised by content: a candidate
    /// for this check, not a finding by itself.
    static func isManagementCandidate(_ observation: Observation) -> Bool {
        observation.legacyProtocol.check.id == CaptureCatalogue.remoteManagementFromInternet.id
    }

    /// Everything the flow is reported with: what the detectors saw, a management service by banner
    /// kept only when the connection came from a public address, and these checks' own findings.
    func judged(_ flow: Flow) -> [Observation] {
        var found = flow.observations
        var byContent: String?
        if !found.isEmpty {
            found.removeAll { observation in
                guard Self.isManagementCandidate(observation) else { return false }
                byContent = observation.legacyProtocol.name
                return true
            }
        }
        found += observations(flow, serviceByContent: byContent)
        return found
    }

    /// What the flow shows for these checks; `serviceByContent` is the management service the
    /// server's banner named, which wins over the port's.
    func observations(_ flow: Flow, serviceByContent: String? = nil) -> [Observation] {
        var found: [Observation] = []
        let server = flow.server
        if flow.transport == .tcp, flow.openedByHandshake,
            let name = serviceByContent ?? Self.managementService(port: server.port),
            flow.client.address.isPublic(internalRanges: options.internalPrefixes)
        {
            found.append(Observation(Self.management[name]!))
        }
        if let approved = options.approvedResolvers, server.port == 53 || server.port == 853, flow.bytes > 0,
            !approved.contains(server.address)
        {
            found.append(Observation(Self.untrustedResolver))
        }
        return found
    }
}
