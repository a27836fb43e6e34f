import Findings
import Foundation

/// What `exposure dns zone` is asked to do.
public struct ZoneCheckOptions: Sendable {
    /// The zone's origin, e.g. `example.com` (a trailing dot is optional).
    public var origin: String
    /// A file of DS or DNSKEY records the zone's keys must match.
    public var trustAnchorFile: String?
    /// Signatures expiring within this many days are reported.
    public var expiryWarningDays: Int
    /// The moment to judge signature windows at, in seconds since 1970.
    public var now: Int64
    /// Whether `$INCLUDE` may make the reader open other files.
    public var allowInclude: Bool

    public init(
        origin: String, trustAnchorFile: String? = nil, expiryWarningDays: Int = 7, now: Int64,
        allowInclude: Bool = false
    ) {
        self.origin = origin
        self.trustAnchorFile = trustAnchorFile
        self.expiryWarningDays = expiryWarningDays
        self.now = now
        self.allowInclude = allowInclude
    }
}

/// Everything a zone check may look at, built once per run.
struct ZoneAnalysisContext: Sendable {
    let zone: ZoneStructure
    let verdicts: ZoneVerdicts
    let clock: SerialTime
    let options: ZoneCheckOptions
    let trustAnchors: [TrustAnchor]
    let keys: [DNSKEYData]
    /// Whether the zone was read through `$INCLUDE`, which libldns' ZONEMD check cannot follow.
    let usesIncludes: Bool

    var origin: DomainName { zone.origin }

    func location(of set: ResourceRecordSet) -> SourceLocation {
        SourceLocation(file: set.file, line: set.line)
    }

    func location(of signature: SignatureRecord) -> SourceLocation {
        SourceLocation(file: signature.file, line: signature.line)
    }

    /// The compact verdicts of RRset `index`'s signatures, in the order of its RRSIGs.
    func compactVerdicts(of index: Int) -> ArraySlice<CompactVerdict> {
        verdicts.of(index, count: zone.signatureCount(of: index))
    }

    /// The verdicts of RRset `index`, with each RRSIG decoded: for RRsets that become findings.
    func verdicts(of index: Int) -> [SignatureVerdict] {
        let positions = zone.packedSets[index].signatures
        return zip(positions, compactVerdicts(of: index)).compactMap { position, compact in
            zone.signature(at: position).map { SignatureVerdict(rrset: index, signature: $0, compact: compact) }
        }
    }

    /// The indices of the RRsets that must carry signatures, found as they are visited (four checks
    /// walk them; an array of them each time was most of what those checks cost in a large zone).
    var signedRRsets: LazyFilterSequence<Range<Int>> {
        let zone = zone
        return zone.packedSets.indices.lazy.filter { zone.mustBeSigned($0) }
    }

    /// `owner/TYPE` as findings name an RRset.
    static func label(_ set: ResourceRecordSet) -> String { "\(set.owner.text) \(set.type)" }
}

/// One zone check: its catalogue entry and the findings it draws from the analysed zone.
protocol ZoneCheck: SendableMetatype {
    static var check: Check { get }
    /// Whether the check reads the signature verdicts. Those that do not run beside the verification,
    /// on a context whose verdicts are empty.
    static var readsVerdicts: Bool { get }
    /// Whether the check only means something in a signed zone (one with an apex DNSKEY RRset). ZONEMD
    /// (RFC 8976 does not depend on DNSSEC) and CDS/CDNSKEY in an unsigned zone are looked at in any.
    static var needsSignedZone: Bool { get }
    static func findings(in context: ZoneAnalysisContext) -> [Finding]
}

extension ZoneCheck {
    static var readsVerdicts: Bool { true }
    static var needsSignedZone: Bool { true }
}

/// The one entry point of the zone analyzer (`analyze`): reads the zone with libldns, verifies every signature,
/// runs each check of `ZoneCatalogue` and returns their findings.
public enum ZoneAnalyzer {
    /// At most this many findings of one check are listed; the rest are counted in a warning, so a
    /// zone whose every signature expired gives a readable report.
    public static let findingsPerCheckLimit = 100

    public static func analyze(file: String, options: ZoneCheckOptions) throws(InputError) -> Report {
        guard let origin = DomainName(text: options.origin) else {
            throw InputError(file: nil, reason: "--origin '\(options.origin)' is not a domain name")
        }
        let zoneFile = try ZoneFile.read(path: file, origin: origin, allowInclude: options.allowInclude)
        var anchors: [TrustAnchor] = []
        if let path = options.trustAnchorFile {
            anchors = try TrustAnchor.read(path: path, origin: origin)
        }
        let zone = ZoneStructure(store: zoneFile.store, origin: origin, file: file)
        var warnings = zoneFile.warnings + zone.warnings
        guard let soa = zone.rrsetIndex(origin, .soa) else {
            throw InputError(
                file: file, reason: "no SOA record at \(origin.text): is --origin right, or is this a zone file?")
        }
        if zone.packedSets[soa].records.count > 1 {
            // RFC 1035 §5.2: exactly one SOA at the top of the zone; named-checkzone says "multiple RRs of
            // singleton type".
            let second = zone.store.rows[Int(zone.order[zone.packedSets[soa].records.lowerBound + 1])]
            let lines = zone.packedSets[soa].records.map { Int(zone.store.rows[Int(zone.order[$0])].line) }.sorted()
            throw InputError(
                file: zone.store.file(second), place: .line(lines[1]),
                reason: "a second SOA record at \(origin.text): a zone has exactly one (RFC 1035 §5.2)")
        }
        let clock = SerialTime(now: options.now)
        let signed = zone.rrset(origin, .dnskey) != nil
        let checks = ZoneCatalogue.all.filter { signed || !$0.needsSignedZone }
        func context(_ verdicts: ZoneVerdicts) -> ZoneAnalysisContext {
            ZoneAnalysisContext(
                zone: zone, verdicts: verdicts, clock: clock, options: options,
                trustAnchors: anchors, keys: zone.apexKeys, usesIncludes: !zoneFile.includedFiles.isEmpty)
        }
        // The checks that need no verdicts (the NSEC chain above all) run on their own thread while
        // the signatures are verified on all cores.
        let byCheck = CheckFindings()
        let earlyContext = context(ZoneVerdicts(verdicts: [], start: []))
        let earlyChecks = checks.indices.filter { !checks[$0].readsVerdicts }
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) {
            for index in earlyChecks { byCheck.set(index, checks[index].findings(in: earlyContext)) }
        }
        let verdicts = SignatureValidation.validate(zone, clock: clock)
        group.wait()
        let lateContext = context(verdicts)
        // The checks that read the verdicts and the chain of trust are independent of each other: they
        // run side by side on all cores, and their findings are taken in catalogue order.
        let chain = TrustChainBox()
        if signed {
            let anchors = anchors
            DispatchQueue.global().async(group: group) {
                chain.value = TrustChainBuilder.chain(zone: zone, verdicts: verdicts, anchors: anchors, origin: origin)
            }
        }
        let lateChecks = checks.indices.filter { checks[$0].readsVerdicts }
        DispatchQueue.concurrentPerform(iterations: lateChecks.count) { k in
            byCheck.set(lateChecks[k], checks[lateChecks[k]].findings(in: lateContext))
        }
        group.wait()

        var findings: [Finding] = []
        let made = byCheck.findings
        for (index, check) in checks.enumerated() {
            var produced = (made[index] ?? []).sorted(by: Finding.reportOrder)
            if produced.count > findingsPerCheckLimit {
                warnings.append(
                    "\(produced.count - findingsPerCheckLimit) more \(check.check.id) findings are not listed "
                        + "(the first \(findingsPerCheckLimit) are)")
                produced = Array(produced.prefix(findingsPerCheckLimit))
            }
            findings += produced
        }
        let unsupported = Set(verdicts.verdicts.lazy.filter { $0.outcome == .unsupported }.map(\.algorithm))
        for algorithm in unsupported.sorted() {
            warnings.append(
                "signatures of algorithm \(DNSSECAlgorithm.name(algorithm)) cannot be checked: libldns does not "
                    + "support it here")
        }
        let signatures = zone.store.rows.lazy.filter { $0.type == RecordType.rrsig.rawValue }.count
        let coverage = InputCoverage(
            path: file, kind: .zone, analysed: ["records": zone.store.rows.count, "signatures": signatures])
        // Freeing a large zone (hundreds of thousands of names, each its own small array) takes a tenth
        // of a second: the last references go to another thread, off the caller's way.
        DispatchQueue.global(qos: .utility).async { [zone, zoneFile] in withExtendedLifetime((zone, zoneFile)) {} }
        var report = Report(findings: findings, warnings: warnings, inputs: [coverage])
        if let chain = chain.value { report.trustChains = [chain] }
        return report
    }

    /// The origin a zone file states: its first `$ORIGIN`, else the owner of its SOA record. For
    /// `exposure scan`, which has no `--origin`; nil when the file names neither.
    public static func statedOrigin(file: String, fallback: String) -> String? {
        guard let fallbackName = DomainName(text: fallback),
            let zoneFile = try? ZoneFile.read(path: file, origin: fallbackName, allowInclude: false)
        else { return nil }
        if let declared = zoneFile.declaredOrigin { return declared.text }
        return zoneFile.store.rows.first { $0.type == RecordType.soa.rawValue }.map { zoneFile.store.owner($0).text }
    }
}

/// The chain of trust, built on another thread.
private final class TrustChainBox: @unchecked Sendable {
    private let lock = NSLock()
    private var chain: TrustChain?

    var value: TrustChain? {
        get {
            lock.lock()
            defer { lock.unlock() }
            return chain
        }
        set {
            lock.lock()
            defer { lock.unlock() }
            chain = newValue
        }
    }
}

/// Findings made on other threads, by check index.
private final class CheckFindings: @unchecked Sendable {
    private let lock = NSLock()
    private var byIndex: [Int: [Finding]] = [:]

    func set(_ index: Int, _ findings: [Finding]) {
        lock.lock()
        defer { lock.unlock() }
        byIndex[index] = findings
    }

    var findings: [Int: [Finding]] {
        lock.lock()
        defer { lock.unlock() }
        return byIndex
    }
}
