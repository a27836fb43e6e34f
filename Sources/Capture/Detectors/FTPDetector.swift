/// FTP (RFC 959): a server that greets with `220` and a client that answers with FTP commands (USER,
/// AUTH, FEAT, …), which tells it apart from SMTP's `220` greeting answered by EHLO. A login with USER
/// and PASS sent in cleartext makes it high; an anonymous session is medium; a session that switched
/// to TLS with AUTH TLS is not reported.
public struct FTPDetector: StreamDetector {
    public static let ftp = LegacyProtocol(
        name: "ftp",
        check: CaptureCatalogue.legacyProtocol,
        title: "FTP",
        risk: "it sends user names, passwords and files in cleartext",
        remediation: "Move the clients to SFTP or FTPS (AUTH TLS required) and disable plain FTP.",
        severity: .medium
    )

    private static let clientCommands: Set<String> = [
        "USER", "PASS", "ACCT", "AUTH", "FEAT", "SYST", "OPTS", "HOST", "CLNT", "PWD", "TYPE", "PASV", "EPSV",
        "PORT", "EPRT", "LIST", "NLST", "RETR", "STOR", "CWD", "SIZE", "MDTM", "CDUP", "DELE", "MKD", "RMD",
        "NOOP", "QUIT", "REST", "RNFR", "RNTO", "STAT", "MLSD", "MLST", "ABOR", "APPE", "XPWD",
    ]

    public init() {}

    public func mightMatch(_ sample: StreamSample) -> Bool {
        TextScanning.hasPrefix(sample.server, "220")
            || sample.server.isEmpty
                && TextScanning.hasPrefix(sample.client, "USER ")
            || sample.serverPort == 21
    }

    /// A reply line: three digits, then a space or a hyphen (RFC 959 §4.2).
    static func isReply(_ line: Substring) -> Bool {
        let bytes = Array(line.utf8.prefix(4))
        return bytes.count == 4 && bytes[0...2].allSatisfy { (0x30...0x39).contains($0) }
            && (bytes[3] == 0x20 || bytes[3] == 0x2D)
    }

    public func examine(_ sample: StreamSample) -> [Observation] {
        let serverLines = TextScanning.lines(sample.server)
        guard let greeting = serverLines.first else { return [] }
        let clientLines = TextScanning.lines(sample.client)
        if !TextScanning.hasPrefix(sample.server, "220") {
            // Captured mid-session, without the greeting: the FTP port, FTP replies and FTP commands.
            guard sample.serverPort == 21, Self.isReply(greeting), let first = clientLines.first,
                Self.clientCommands.contains(TextScanning.command(first).verb)
            else { return [] }
        }
        if let first = clientLines.first {
            guard Self.clientCommands.contains(TextScanning.command(first).verb) else { return [] }
        } else {
            // Only a greeting: FTP when it says so, and not an SMTP banner.
            let upper = greeting.uppercased()
            guard upper.contains("FTP"), !upper.contains("SMTP") else { return [] }
        }
        var user: String?
        var passwordSent = false
        for line in clientLines {
            let (verb, argument) = TextScanning.command(line)
            switch verb {
            case "AUTH" where serverLines.contains { $0.hasPrefix("234") }:
                return []  // the session continued inside TLS
            case "USER": user = TextScanning.userName(argument.utf8)
            case "PASS": passwordSent = true
            default: break
            }
        }
        var detail: [String: String] = [:]
        if let user { detail["user"] = user }
        let anonymous = user.map { ["anonymous", "ftp"].contains($0.lowercased()) } ?? true
        return [Observation(Self.ftp, severity: passwordSent && !anonymous ? .high : .medium, detail: detail)]
    }
}
