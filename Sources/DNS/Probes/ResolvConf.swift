import Foundation

/// The resolver settings of a host as `/etc/resolv.conf` gives them (resolv.conf(5)): the name
/// servers with their line numbers, the search list and the options. Read as the C library reads it:
/// a line starting with `#` or `;` is a comment, the last `domain`/`search` line wins, only the first
/// three `nameserver` lines are used (MAXNS), and an address that is not numeric is ignored.
public struct ResolvConf: Sendable, Hashable {
    public struct Nameserver: Sendable, Hashable {
        public var address: ServerAddress
        public var line: Int
    }

    /// The most name servers the C library uses.
    public static let maximumNameservers = 3

    public var nameservers: [Nameserver] = []
    public var search: [String] = []
    public var options: [String] = []
    /// Lines the C library would ignore or only partly use, as `line N: why`.
    public var warnings: [String] = []

    public init(text: String) {
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = index + 1
            let trimmed = rawLine.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix(";") { continue }
            let words = trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard let keyword = words.first else { continue }
            let values = Array(words.dropFirst())
            switch keyword {
            case "nameserver":
                guard let token = values.first else {
                    warnings.append("line \(line): nameserver without an address")
                    continue
                }
                // Only a bare numeric address: the C library takes no port and looks up no name.
                guard let address = ServerAddress(parsing: token), address.host == token else {
                    warnings.append("line \(line): '\(token)' is not an IP address; the C library ignores it")
                    continue
                }
                if nameservers.count >= Self.maximumNameservers {
                    warnings.append(
                        "line \(line): nameserver \(token) is beyond the first \(Self.maximumNameservers); the C library ignores it"
                    )
                    continue
                }
                nameservers.append(Nameserver(address: address, line: line))
            case "domain":
                search = Array(values.prefix(1))
            case "search":
                search = values
            case "options":
                options += values
            case "sortlist":
                continue
            default:
                warnings.append("line \(line): unknown keyword '\(keyword)'")
            }
        }
    }
}
