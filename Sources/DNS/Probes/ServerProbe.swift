import Findings

/// `exposure dns server`: probes one authoritative server for the zone it serves.
///
/// Order matters: the rate-limiting burst goes last, because a server that limits rates may drop
/// this host's queries for a while afterwards. Reachability is tested first so that a server that
/// does not answer is an error (exit 2), not an empty report that reads as "all well".
public struct ServerProbe: Sendable {
    public var server: String
    public var zone: String
    /// Queries in the rate-limiting burst; 0 skips the burst.
    public var burst: Int
    /// A name outside the server's zones, for the recursion probe; nil picks the first of
    /// `outsideCandidates` outside the zone.
    public var outsideName: String?
    public var limits: QueryLimits

    /// Names that resolve on the internet (RFC 2606), in the order tried for the recursion probe: at
    /// least one lies outside any zone but the root.
    public static let outsideCandidates = ["example.com.", "example.net.", "example.org."]

    public init(
        server: String,
        zone: String,
        burst: Int = 200,
        outsideName: String? = nil,
        limits: QueryLimits = QueryLimits()
    ) {
        self.server = server
        self.zone = zone
        self.burst = burst
        self.outsideName = outsideName
        self.limits = limits
    }

    /// The entry point, named as the other analyzers' are: probes the server(s) and returns the findings.
    public func analyze() throws(InputError) -> Report {
        guard let address = ServerAddress(parsing: server) else {
            throw InputError(reason: "'\(server)' is not IP[:PORT] (an IPv6 address with a port is [IP]:PORT)")
        }
        let zone = Self.absolute(self.zone)
        guard PacketQuery.isValidName(zone) else {
            throw InputError(reason: "--zone '\(self.zone)' is not a domain name")
        }
        let outsideName: String?
        if let given = self.outsideName {
            outsideName = Self.absolute(given)
            guard PacketQuery.isValidName(Self.absolute(given)) else {
                throw InputError(reason: "--outside-name '\(given)' is not a domain name")
            }
            guard !Self.isAtOrBelow(Self.absolute(given), zone) else {
                throw InputError(
                    reason: "--outside-name \(Self.absolute(given)) is inside the zone \(zone); pick a name outside it")
            }
        } else {
            outsideName = Self.outsideCandidates.first { !Self.isAtOrBelow($0, zone) }
        }
        try RateLimitBurst.checkCount(burst)
        let session = ProbeSession(server: address, limits: limits)
        var findings: [Finding] = []
        var warnings: [String] = []

        // Is anyone there, and does it serve the zone?
        let apex: PacketReply
        do {
            apex = try session.ask(PacketQuery(name: zone, type: QueryType.soa))
        } catch {
            if case .transport(let failure) = error { throw InputError.unreachable(address, failure) }
            throw InputError(reason: "\(address): \(error)")
        }
        if apex.rcode != 0 || !apex.authoritative {
            warnings.append(
                "\(address) is not authoritative for \(zone) (\(apex.rcodeName)\(apex.authoritative ? "" : ", AA clear")); "
                    + "the zone-transfer and rate-limiting results say little"
            )
        }

        let transfer = ZoneTransferOpen.probe(session, zone: zone)
        findings += transfer.findings
        warnings += transfer.warnings
        findings += VersionDisclosed.probe(session)
        let recursion = RecursionOnAuthoritative.probe(session, zone: zone, outsideName: outsideName)
        findings += recursion.findings
        warnings += recursion.warnings
        let cookies = CookiesMissing.probe(session, name: zone, type: QueryType.soa, recursionDesired: false)
        findings += cookies.findings
        warnings += cookies.warnings
        let rateLimit = RRLMissing.probe(session, zone: zone, count: burst)
        findings += rateLimit.findings
        warnings += rateLimit.warnings
        let probed = InputCoverage(path: "\(address)", kind: .server, analysed: ["servers": 1])
        return Report(findings: findings, warnings: warnings, inputs: [probed])
    }

    /// `name` with its trailing dot, lower-cased, so comparisons work.
    static func absolute(_ name: String) -> String {
        let lower = name.lowercased()
        return lower.hasSuffix(".") ? lower : lower + "."
    }

    /// Whether `name` is `zone` or a name below it (both absolute).
    static func isAtOrBelow(_ name: String, _ zone: String) -> Bool {
        zone == "." || name == zone || name.hasSuffix("." + zone)
    }
}
