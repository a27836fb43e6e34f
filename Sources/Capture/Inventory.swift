import Findings

/// Gathers what retired flows showed into one entry per protocol, server and port, listing the
/// clients, flow and packet counts, first and last seen and the detail values, and turns the entries
/// into findings.
final class Inventory {
    private struct Key: Hashable {
        var check: String
        var protocolName: String
        var server: IPAddress
        var port: UInt16
        var transport: Transport
    }

    private struct Entry {
        var legacyProtocol: LegacyProtocol
        var severity: Severity
        var clients: Set<IPAddress> = []
        var flows = 0
        var packets = 0
        var first: Timestamp
        var last: Timestamp
        var detail: [String: Set<String>] = [:]
        var file: String
        /// Every capture file the entry was seen in (evidence `files` when there are several).
        var files: Set<String> = []
    }

    private var entries: [Key: Entry] = [:]
    private let flowChecks: FlowChecks

    init(options: CaptureOptions = CaptureOptions()) {
        flowChecks = FlowChecks(options: options)
    }

    /// Clients and detail values listed per finding; the counts stay exact beyond that.
    static let listLimit = 100

    /// Records a finished flow's observations, from the capture `file`.
    func record(_ flow: Flow, file: String) {
        let observations = flowChecks.judged(flow)
        guard !observations.isEmpty else { return }
        var server = flow.server
        // A query sent to a multicast or broadcast address (LLMNR, NetBIOS name service) has no server
        // there: the finding is about the host that sends it, which uses the protocol's port too.
        let group = server.address.isMulticastOrBroadcast ? server.address : nil
        if group != nil { server.address = flow.client.address }
        var counted: Set<Key> = []
        for observation in observations {
            let key = Key(
                check: observation.legacyProtocol.check.id, protocolName: observation.legacyProtocol.name,
                server: server.address, port: server.port,
                transport: flow.transport)
            let firstForKey = counted.insert(key).inserted
            // Updated in place: a copy taken out of the dictionary and stored back copied the
            // entry's client set (thousands of addresses for a busy server) on every flow.
            Self.merge(
                observation, of: flow, countingFlow: firstForKey, group: group,
                into: &entries[
                    key,
                    default: Entry(
                        legacyProtocol: observation.legacyProtocol, severity: observation.severity,
                        first: flow.first, last: flow.last, file: file)
                ])
            if firstForKey { entries[key]?.files.insert(file) }
        }
    }

    private static func merge(
        _ observation: Observation, of flow: Flow, countingFlow: Bool, group: IPAddress?, into entry: inout Entry
    ) {
        entry.severity = max(entry.severity, observation.severity)
        for (name, value) in observation.detail { entry.detail[name, default: []].insert(value) }
        if let group { entry.detail["destination", default: []].insert(group.description) }
        if countingFlow {
            entry.clients.insert(flow.client.address)
            entry.flows += 1
            entry.packets += flow.packets
            entry.first = min(entry.first, flow.first)
            entry.last = max(entry.last, flow.last)
        }
    }

    var findings: [Finding] {
        entries.map { key, entry in finding(key: key, entry: entry) }
    }

    private func finding(key: Key, entry: Entry) -> Finding {
        let legacy = entry.legacyProtocol
        let subject = key.server.withPort(key.port)
        let clients = entry.clients.sorted()
        var evidence: [String: JSONValue] = [
            "protocol": .string(legacy.name),
            "server": .string(key.server.description),
            "serverPort": .int(Int(key.port)),
            "transport": .string(key.transport.rawValue),
            "clients": .strings(clients.prefix(Self.listLimit).map(\.description)),
            "clientCount": .int(clients.count),
            "flows": .int(entry.flows),
            "packets": .int(entry.packets),
            "firstSeen": .string(RFC3339.format(entry.first)),
            "lastSeen": .string(RFC3339.format(entry.last)),
        ]
        var notes: [String] = []
        for (name, values) in entry.detail {
            if name == "note" {
                notes = values.sorted()
                continue
            }
            evidence[name] = .strings(values.sorted().prefix(Self.listLimit))
        }
        if !notes.isEmpty { evidence["notes"] = .strings(notes) }
        if entry.files.count > 1 { evidence["files"] = .strings(entry.files.sorted()) }
        if legacy.check.id == CaptureCatalogue.untrustedResolver.id {
            evidence["resolver"] = .string(key.server.description)
        }
        let who =
            "\(clients.count) client\(clients.count == 1 ? "" : "s"), \(entry.flows) flow\(entry.flows == 1 ? "" : "s")"
        let message: String
        if entry.severity == .info && !notes.isEmpty {
            message =
                "\(legacy.title) only offered at \(subject)/\(key.transport.rawValue) (\(who)): \(notes.joined(separator: "; "))."
        } else {
            message = "\(legacy.title) in use at \(subject)/\(key.transport.rawValue) (\(who)): \(legacy.risk)."
        }
        return Finding(
            check: legacy.check,
            severity: entry.severity,
            subject: subject,
            message: message,
            evidence: evidence,
            remediation: legacy.remediation,
            location: SourceLocation(file: entry.file)
        )
    }
}

/// Timestamps as RFC 3339 UTC text with microseconds, e.g. `2026-03-01T09:30:00.000000Z`.
enum RFC3339 {
    static func format(_ time: Timestamp) -> String {
        // Years 0001 to 9999 only: a damaged record can carry any 64-bit time.
        let micros = min(max(time.microseconds, -62_135_596_800_000_000), 253_402_300_799_999_999)
        let seconds = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        let fraction = micros - seconds * 1_000_000
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):"
            + "\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2)).\(pad(fraction, 6))Z"
    }
}
