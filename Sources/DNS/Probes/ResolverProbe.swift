import Findings
import Foundation

/// A resolver a host uses, and where that was said: a resolv.conf line or `--server`.
struct ConfiguredResolver {
    var address: ServerAddress
    /// `resolv.conf line 3` or `--server`.
    var origin: String
    var location: SourceLocation? = nil
    /// The resolv.conf `search` list and `options` the host uses with it, when it came from one.
    var search: [String]? = nil
    var options: [String]? = nil
}

/// `exposure dns resolver`: which resolvers a host uses, whether they are approved, validate DNSSEC,
/// answer cookies, and whether a public one recurses for anyone.
///
/// The resolvers come from resolv.conf (`--resolv-conf`, or /etc/resolv.conf when no `--server` is
/// given) and from `--server`. A resolver that does not answer at all is an error (exit 2) naming it
/// and the line it came from: an empty report would read as "all well".
public struct ResolverProbe: Sendable {
    public var resolvConfPath: String?
    public var servers: [String]
    public var approved: String?
    public var signedName: String
    public var bogusName: String
    /// Queries in the rate-limiting burst sent to each resolver; 0 (the default) skips it, as a
    /// resolver is often shared and the burst should be asked for.
    public var burst: Int
    public var limits: QueryLimits

    public static let defaultResolvConf = "/etc/resolv.conf"
    /// A long-signed domain: ISC's own.
    public static let defaultSignedName = "isc.org."
    /// A domain whose DNSSEC is broken on purpose to test validators (Comcast's test domain).
    public static let defaultBogusName = "dnssec-failed.org."

    public init(
        resolvConfPath: String? = nil,
        servers: [String] = [],
        approved: String? = nil,
        signedName: String = ResolverProbe.defaultSignedName,
        bogusName: String = ResolverProbe.defaultBogusName,
        burst: Int = 0,
        limits: QueryLimits = QueryLimits()
    ) {
        self.burst = burst
        self.resolvConfPath = resolvConfPath
        self.servers = servers
        self.approved = approved
        self.signedName = signedName
        self.bogusName = bogusName
        self.limits = limits
    }

    /// The entry point, named as the other analyzers' are: probes the server(s) and returns the findings.
    public func analyze() throws(InputError) -> Report {
        let signedName = ServerProbe.absolute(self.signedName)
        let bogusName = ServerProbe.absolute(self.bogusName)
        guard PacketQuery.isValidName(signedName) else {
            throw InputError(reason: "--signed-name '\(self.signedName)' is not a domain name")
        }
        guard PacketQuery.isValidName(bogusName) else {
            throw InputError(reason: "--bogus-name '\(self.bogusName)' is not a domain name")
        }
        try RateLimitBurst.checkCount(burst)
        let approvedList = try approved.map { list throws(InputError) in try ResolverUntrusted.parseApproved(list) }
        var warnings: [String] = []
        let resolvers = try collectResolvers(warnings: &warnings)

        var findings: [Finding] = []
        for resolver in resolvers {
            let session = ProbeSession(server: resolver.address, limits: limits)
            // Reachable at all? A plain recursive question any resolver answers somehow.
            do {
                _ = try session.ask(PacketQuery(name: signedName, type: QueryType.a, recursionDesired: true))
            } catch {
                var failure = InputError(reason: "resolver \(resolver.address) did not answer a DNS query: \(error)")
                if let location = resolver.location {
                    failure.file = location.file
                    failure.place = location.line.map { .line($0) }
                }
                throw failure
            }
            if let finding = ResolverUntrusted.judge(resolver, approved: approvedList) { findings.append(finding) }
            let observation = ResolverNotValidating.observe(session, signedName: signedName, bogusName: bogusName)
            let validation = ResolverNotValidating.judge(
                observation,
                resolver: resolver,
                signedName: signedName,
                bogusName: bogusName
            )
            findings += validation.findings
            warnings += validation.warnings
            if let finding = ResolverOpen.judge(observation.signed, resolver: resolver, name: signedName) {
                findings.append(finding)
            }
            let cookies = CookiesMissing.probe(session, name: signedName, type: QueryType.a, recursionDesired: true)
            findings += cookies.findings.map { finding in
                var finding = finding
                finding.location = resolver.location
                return finding
            }
            warnings += cookies.warnings
            // Last, as a resolver that limits rates may drop this host's queries for a while after.
            let rateLimit = ResolverRateLimitMissing.probe(session, name: signedName, count: burst)
            findings += rateLimit.findings.map { finding in
                var finding = finding
                finding.location = resolver.location
                return finding
            }
            warnings += rateLimit.warnings
        }
        let probed = resolvers.map { InputCoverage(path: "\($0.address)", kind: .server, analysed: ["servers": 1]) }
        return Report(findings: findings, warnings: warnings, inputs: probed)
    }

    /// The resolvers to probe, each once, in the order configured.
    private func collectResolvers(warnings: inout [String]) throws(InputError) -> [ConfiguredResolver] {
        var resolvers: [ConfiguredResolver] = []
        let path = resolvConfPath ?? (servers.isEmpty ? Self.defaultResolvConf : nil)
        if let path {
            // Read to the end with read(2): Foundation's String(contentsOfFile:) reports an empty
            // device such as /dev/null as a permission error.
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw InputError(file: path, reason: "cannot read the file: \(String(cString: strerror(errno)))")
            }
            defer { try? handle.close() }
            let data: Data
            do {
                data = try handle.readToEnd() ?? Data()
            } catch {
                throw InputError(file: path, reason: "cannot read the file (\(Self.plainReason(error)))")
            }
            let text = String(decoding: data, as: UTF8.self)
            let conf = ResolvConf(text: text)
            warnings += conf.warnings.map { "\(path): \($0)" }
            if conf.nameservers.isEmpty && servers.isEmpty {
                throw InputError(
                    file: path,
                    reason:
                        "no usable nameserver line (the C library would fall back to 127.0.0.1; pass --server to probe it)"
                )
            }
            for nameserver in conf.nameservers {
                if nameserver.address.host == "127.0.0.53" {
                    warnings.append(
                        "\(path): line \(nameserver.line): 127.0.0.53 is systemd-resolved's stub; "
                            + "its upstream resolvers (resolvectl status) are the ones to approve and probe"
                    )
                }
                resolvers.append(
                    ConfiguredResolver(
                        address: nameserver.address,
                        origin: "\(path) line \(nameserver.line)",
                        location: SourceLocation(file: path, line: nameserver.line),
                        search: conf.search,
                        options: conf.options
                    )
                )
            }
        }
        for server in servers {
            guard let address = ServerAddress(parsing: server) else {
                throw InputError(
                    reason: "--server '\(server)' is not IP[:PORT] (an IPv6 address with a port is [IP]:PORT)")
            }
            resolvers.append(ConfiguredResolver(address: address, origin: "--server", location: nil))
        }
        var seen = Set<String>()
        return resolvers.filter { seen.insert($0.address.description).inserted }
    }

    private static func plainReason(_ error: Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain
        {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if nsError.code == NSFileReadNoSuchFileError { return "no such file" }
        return nsError.localizedDescription
    }
}
