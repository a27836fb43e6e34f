import Foundation
import Testing

/// What a sample claims to contain, as tshark's dissectors see it: tshark is run on the sample with
/// `options`, printing `fields`; its distinct non-empty output lines must include `lines` (and be
/// exactly them when `exactly`). Passwords are deliberately not among the expected values: where a
/// field would carry one, only the user part is checked.
struct TsharkClaim: Sendable, CustomTestStringConvertible {
    var sample: String
    var options: [String] = []
    var fields: [String]
    var lines: Set<String>
    var exactly = false

    var testDescription: String { sample }
}

/// The tshark fields that cross-check each sample (docs/capture.md lists them), per sample.
let tsharkClaims: [TsharkClaim] = {
    let telnetCommands: Set<String> = ["251,251,252,252", "253,253,253,253"]
    let serverHello = ["-Y", "tls.handshake.type == 2"]
    let helloFields = [
        "tls.handshake.version", "tls.handshake.ciphersuite", "tls.handshake.extensions.supported_version",
    ]
    let dtlsServerHello = ["-d", "udp.port==4433,dtls", "-Y", "dtls.handshake.type == 2"]
    let dtlsHelloFields = ["dtls.handshake.version", "dtls.handshake.ciphersuite"]
    var claims: [TsharkClaim] = [
        TsharkClaim(
            sample: "telnet-on-port-2323.pcap", options: ["-d", "tcp.port==2323,telnet"], fields: ["telnet.cmd"],
            lines: telnetCommands, exactly: true),
        // The correlation sample's TCP openings, as docs/correlation.md lists them (flows a to j).
        TsharkClaim(
            sample: "correlation-every-check.pcap", options: ["-Y", "tcp.flags.syn == 1 && tcp.flags.ack == 0"],
            fields: ["ip.src", "tcp.srcport", "ip.dst", "tcp.dstport"],
            lines: [
                "198.51.100.23\t50001\t10.10.1.4\t22", "198.51.100.24\t50002\t20.50.0.10\t22",
                "203.0.113.5\t50003\t20.50.0.10\t443", "10.10.1.4\t50004\t10.10.2.4\t8080",
                "10.10.2.4\t50005\t10.10.3.4\t1433", "10.10.1.4\t50006\t10.10.3.4\t1433",
                "10.10.2.9\t50007\t10.10.2.4\t8080", "10.10.1.4\t50008\t93.184.216.34\t443",
                "10.10.2.4\t50009\t10.10.3.4\t1433", "10.10.2.4\t50010\t10.10.3.4\t23",
            ], exactly: true),
        TsharkClaim(
            sample: "tls-on-port-23-not-telnet.pcap", options: ["-d", "tcp.port==23,tls"] + serverHello,
            fields: helloFields, lines: ["0x0303\t0xc02f\t"], exactly: true),
        TsharkClaim(
            sample: "ftp-cleartext-login.pcap", fields: ["ftp.request.command", "ftp.request.arg"],
            lines: ["USER\talice"]),
        TsharkClaim(
            sample: "tls10-server-chosen.pcap", options: serverHello, fields: helloFields,
            lines: ["0x0301\t0x002f\t"], exactly: true),
        TsharkClaim(
            sample: "tls10-server-hello-split-out-of-order.pcap",
            options: ["-o", "tcp.reassemble_out_of_order:TRUE"] + serverHello, fields: helloFields,
            lines: ["0x0301\t0x002f\t"], exactly: true),
        TsharkClaim(
            sample: "tls11-server-chosen.pcap", options: ["-d", "tcp.port==8443,tls"] + serverHello,
            fields: helloFields, lines: ["0x0302\t0x002f\t"], exactly: true),
        TsharkClaim(
            sample: "sslv3-server-chosen.pcap", options: serverHello, fields: helloFields,
            lines: ["0x0300\t0x002f\t"], exactly: true),
        TsharkClaim(
            sample: "tls13-not-legacy.pcap", options: serverHello, fields: helloFields,
            lines: ["0x0303\t0x1301\t0x0304"], exactly: true),
        TsharkClaim(
            sample: "tls12-rc4-cipher-chosen.pcap", options: serverHello, fields: helloFields,
            lines: ["0x0303\t0x0005\t"], exactly: true),
        TsharkClaim(
            sample: "tls12-3des-cipher-chosen.pcap", options: serverHello, fields: helloFields,
            lines: ["0x0303\t0x000a\t"], exactly: true),
        TsharkClaim(
            sample: "tls-client-offers-rc4-server-refuses.pcap", options: serverHello, fields: helloFields,
            lines: ["0x0303\t0xc02f\t"], exactly: true),
        // SSLv2 CLIENT-HELLO (1) and SERVER-HELLO (4).
        TsharkClaim(
            sample: "sslv2-server-hello.pcap", options: ["-Y", "tls.handshake.type"], fields: ["tls.handshake.type"],
            lines: ["1", "4"], exactly: true),
        TsharkClaim(
            sample: "ssh1-server.pcap", fields: ["ssh.protocol"],
            lines: ["SSH-1.5-OpenSSH_2.9p2", "SSH-1.5-OpenSSH_3.0"], exactly: true),
        TsharkClaim(
            sample: "ssh-1.99-server-ssh2-client-not-v1.pcap", fields: ["ssh.protocol"],
            lines: ["SSH-1.99-OpenSSH_3.9p1", "SSH-2.0-OpenSSH_9.2p1"], exactly: true),
        TsharkClaim(
            sample: "tftp-read-request.pcap", options: ["-Y", "tftp.opcode == 1"],
            fields: ["tftp.opcode", "tftp.source_file"], lines: ["1\tpxelinux.cfg/default"], exactly: true),
        TsharkClaim(
            sample: "rlogin-session.pcap", fields: ["rlogin.server_user_name", "rlogin.terminal_type"],
            lines: ["alice\txterm"]),
        TsharkClaim(
            sample: "rsh-command.pcap", fields: ["rsh.server_username", "rsh.command"], lines: ["root\tuptime"]),
        TsharkClaim(sample: "rexec-command.pcap", fields: ["exec.username", "exec.command"], lines: ["alice\tuptime"]),
        TsharkClaim(
            sample: "smb1-negotiated.pcap", fields: ["smb.dialect.name", "smb.dialect.index", "smb2.dialect"],
            lines: ["PC NETWORK PROGRAM 1.0,LANMAN1.0,NT LM 0.12\t\t", "\t2\t"], exactly: true),
        TsharkClaim(
            sample: "smb1-offered-smb2-chosen.pcap", fields: ["smb.dialect.name", "smb.dialect.index", "smb2.dialect"],
            lines: ["PC NETWORK PROGRAM 1.0,LANMAN1.0,NT LM 0.12,SMB 2.002,SMB 2.???\t\t", "\t\t0x02ff"],
            exactly: true),
        // A 24-byte NT response (48 hex digits) is NTLMv1.
        TsharkClaim(
            sample: "ntlmv1-over-http.pcap", options: ["-Y", "ntlmssp.messagetype == 3"],
            fields: ["ntlmssp.auth.ntresponse", "ntlmssp.auth.username", "ntlmssp.auth.domain"],
            lines: ["000102030405060708090a0b0c0d0e0f1011121314151617\tbob\tCORP"], exactly: true),
        TsharkClaim(
            sample: "ntlmv1-in-smb2-session-setup.pcap", options: ["-Y", "ntlmssp.messagetype == 3"],
            fields: ["ntlmssp.auth.ntresponse", "ntlmssp.auth.username", "ntlmssp.auth.domain", "smb2.cmd"],
            lines: ["000102030405060708090a0b0c0d0e0f1011121314151617\tcarol\tCORP\t1"], exactly: true),
        TsharkClaim(
            sample: "ntlmv2-over-http-not-v1.pcap",
            options: ["-Y", "ntlmssp.messagetype == 3 && ntlmssp.ntlmv2_response"],
            fields: ["ntlmssp.auth.username"], lines: ["bob"], exactly: true),
        TsharkClaim(sample: "snmpv1-get.pcap", fields: ["snmp.version", "snmp.get_request_element"], lines: ["0\t1"]),
        TsharkClaim(sample: "snmpv2c-set.pcap", fields: ["snmp.version", "snmp.set_request_element"], lines: ["1\t1"]),
        TsharkClaim(
            sample: "pop3-cleartext-login.pcap", fields: ["pop.request.command", "pop.request.parameter"],
            lines: ["USER\talice"]),
        TsharkClaim(
            sample: "imap-cleartext-login.pcap", fields: ["imap.request.command", "imap.request.username"],
            lines: ["LOGIN\talice"]),
        TsharkClaim(
            sample: "smtp-auth-plain-cleartext.pcap", options: ["-Y", "smtp.req.command == \"AUTH\""],
            fields: ["smtp.req.command"], lines: ["AUTH"], exactly: true),
        // tshark names the STARTTLS command by its first four letters; no AUTH command is visible.
        TsharkClaim(
            sample: "smtp-starttls-before-auth.pcap", options: ["-Y", "smtp.req.command"],
            fields: ["smtp.req.command"], lines: ["EHLO", "STAR"], exactly: true),
        TsharkClaim(
            sample: "smtp-starttls-into-tls10.pcap", options: serverHello, fields: helloFields,
            lines: ["0x0301\t0x002f\t"], exactly: true),
        TsharkClaim(
            sample: "ldap-simple-bind.pcap", options: ["-Y", "ldap.simple"], fields: ["ldap.name"],
            lines: ["cn=admin,dc=example,dc=com"], exactly: true),
        // The anonymous bind has an empty simple password; the other bind is SASL.
        TsharkClaim(
            sample: "ldap-sasl-and-anonymous-binds-not-cleartext.pcap", options: ["-Y", "ldap.bindRequest_element"],
            fields: ["ldap.simple", "ldap.mechanism"], lines: ["\tGSSAPI"], exactly: true),
        TsharkClaim(
            sample: "llmnr-query.pcap", fields: ["_ws.col.Protocol", "dns.qry.name"], lines: ["LLMNR\tfileserv"],
            exactly: true),
        TsharkClaim(sample: "netbios-ns-query.pcap", fields: ["nbns.name"], lines: ["WPAD<00>"], exactly: true),
        TsharkClaim(
            sample: "http-basic-auth-after-401.pcap", options: ["-Y", "http.response.code == 401"],
            fields: ["http.response.code"], lines: ["401"], exactly: true),
        // tshark reads Redis (RESP) and Beckhoff ADS (AMS) where the old rules saw POP3 and rexec.
        TsharkClaim(
            sample: "redis-auth-password-not-pop3.pcap", fields: ["resp.string"], lines: ["OK", "PONG"],
            exactly: true),
        TsharkClaim(
            sample: "beckhoff-ads-not-rexec.pcap", fields: ["ams.cmdid", "ams.state_response"],
            lines: ["1\t0", "1\t1"], exactly: true),
        // No user name follows AUTH LOGIN.
        TsharkClaim(
            sample: "smtp-auth-login-then-quit-no-user.pcap", options: ["-Y", "smtp.req.command"],
            fields: ["smtp.req.command", "smtp.auth.username"], lines: ["EHLO\t", "AUTH\t", "QUIT\t"],
            exactly: true),
        // DTLS as the server chose it (tshark decodes the port as DTLS only when told).
        TsharkClaim(
            sample: "dtls10-server-chosen.pcap", options: dtlsServerHello, fields: dtlsHelloFields,
            lines: ["0xfeff\t0x002f"], exactly: true),
        TsharkClaim(
            sample: "dtls-0x0100-3des-server-chosen.pcap", options: dtlsServerHello, fields: dtlsHelloFields,
            lines: ["0x0100\t0x000a"], exactly: true),
        TsharkClaim(
            sample: "dtls12-not-legacy.pcap", options: dtlsServerHello, fields: dtlsHelloFields,
            lines: ["0xfefd\t0xc02f"], exactly: true),
        // TLS after another opening: tshark follows SOCKS, CONNECT, MySQL and PostgreSQL into TLS by
        // itself; after RDP's X.224 negotiation (selectedProtocol 1, TLS) only when told the port is TLS.
        TsharkClaim(
            sample: "tls10-rc4-in-socks4.pcap", options: serverHello, fields: helloFields,
            lines: ["0x0301\t0x0005\t"], exactly: true),
        TsharkClaim(
            sample: "tls10-3des-in-socks4a.pcap", options: serverHello, fields: helloFields,
            lines: ["0x0301\t0x000a\t"], exactly: true),
        TsharkClaim(
            sample: "tls10-rc4-in-socks5.pcap", options: serverHello, fields: helloFields,
            lines: ["0x0301\t0x0005\t"], exactly: true),
        TsharkClaim(
            sample: "tls10-in-http-connect.pcap", options: serverHello, fields: helloFields,
            lines: ["0x0301\t0x002f\t"], exactly: true),
        TsharkClaim(
            sample: "tls10-in-rdp-x224.pcap", options: ["-d", "tcp.port==3389,tls"] + serverHello,
            fields: helloFields, lines: ["0x0301\t0x002f\t"], exactly: true),
        TsharkClaim(
            sample: "tls10-in-mysql-ssl-request.pcap", options: serverHello, fields: helloFields,
            lines: ["0x0301\t0x002f\t"], exactly: true),
        TsharkClaim(
            sample: "tls10-in-postgresql-sslrequest.pcap", options: serverHello, fields: helloFields,
            lines: ["0x0301\t0x002f\t"], exactly: true),
        TsharkClaim(
            sample: "socks5-plain-http-not-tls.pcap", fields: ["frame.protocols"],
            lines: ["eth:ethertype:ip:tcp:socks:http"]),
        // SASL NTLM: tshark shows the exchange (the NEGOTIATE after AUTH, "TlRMTVNTUAAB" being
        // "NTLMSSP\0" and type 1) but does not decode NTLMSSP in mail; in the AUTHENTICATE line
        // "TlRMTVNTUAADAAAAGAAYAEAAAAAYABgA" the NT response length reads 0x0018, 24 bytes: NTLMv1.
        TsharkClaim(
            sample: "smtp-auth-ntlmv1.pcap", options: ["-Y", "smtp.req.command == \"AUTH\""],
            fields: ["smtp.req.parameter"], lines: ["NTLM TlRMTVNTUAABAAAAB4IIAAAAAAAAAAAAAAAAAAAAAAA="], exactly: true),
        TsharkClaim(
            sample: "smtp-auth-ntlmv2-not-cleartext.pcap", options: ["-Y", "smtp.req.command == \"AUTH\""],
            fields: ["smtp.req.parameter"], lines: ["NTLM TlRMTVNTUAABAAAAB4IIAAAAAAAAAAAAAAAAAAAAAAA="], exactly: true),
        TsharkClaim(
            sample: "imap-authenticate-ntlmv1.pcap", options: ["-Y", "imap.request.command"],
            fields: ["imap.request.command"], lines: ["AUTHENTICATE"], exactly: true),
        TsharkClaim(
            sample: "pop3-auth-ntlmv1.pcap", fields: ["pop.request.command", "pop.request.parameter"],
            lines: ["AUTH\tNTLM"]),
        // In TDS tshark decodes the NTLMSSP AUTHENTICATE itself: a 24-byte NT response.
        TsharkClaim(
            sample: "mssql-tds-sspi-ntlmv1.pcap", options: ["-Y", "ntlmssp.messagetype == 3"],
            fields: ["ntlmssp.auth.ntresponse", "ntlmssp.auth.username", "ntlmssp.auth.domain"],
            lines: ["000102030405060708090a0b0c0d0e0f1011121314151617\tsqlsvc\tCORP"], exactly: true),
        TsharkClaim(
            sample: "ftp-mid-session-no-greeting.pcap", options: ["-Y", "ftp.request.command"],
            fields: ["ftp.request.command"], lines: ["TYPE", "PASV", "RETR"], exactly: true),
        TsharkClaim(
            sample: "ssh1-client-to-ssh-1.99-server.pcap", fields: ["ssh.protocol"],
            lines: ["SSH-1.99-OpenSSH_3.9p1", "SSH-1.5-PuTTY_Release_0.53b"], exactly: true),
        // An SMB1 Echo (0x2b), no Negotiate (0x72).
        TsharkClaim(sample: "smb1-mid-session-no-negotiate.pcap", fields: ["smb.cmd"], lines: ["0x2b"], exactly: true),
        TsharkClaim(
            sample: "netbios-ns-eight-names-broadcast.pcap", fields: ["nbns.name"],
            lines: [
                "WPAD<00>", "FILESRV<00>", "PRINTSRV<00>", "INTRANET<00>", "BACKUP<00>", "MAIL<00>", "SQL01<00>",
                "DC01<00>",
            ], exactly: true),
        TsharkClaim(
            sample: "llmnr-non-ascii-name.pcap", fields: ["_ws.col.Protocol", "dns.qry.name"],
            lines: ["LLMNR\tcafé-srv"], exactly: true),
        TsharkClaim(
            sample: "llmnr-over-tcp.pcap", options: ["-d", "tcp.port==5355,dns"], fields: ["dns.qry.name"],
            lines: ["fileserv"], exactly: true),
        TsharkClaim(
            sample: "http-version-banners-and-no-security-headers.pcap", options: ["-Y", "http.response"],
            fields: ["http.server", "http.content_type"], lines: ["Apache/2.4.41 (Ubuntu)\ttext/html; charset=UTF-8"],
            exactly: true),
        TsharkClaim(
            sample: "http-security-headers-present-not-missing.pcap", options: ["-Y", "http.response"],
            fields: ["http.server", "http.content_type"], lines: ["nginx\ttext/html"], exactly: true),
        TsharkClaim(
            sample: "ssh-banner-with-patch-level.pcap", fields: ["ssh.protocol"],
            lines: ["SSH-2.0-OpenSSH_8.2p1 Ubuntu-4ubuntu0.5", "SSH-2.0-OpenSSH_9.2p1"], exactly: true),
        // What the hand check against public traces found (docs/capture.md): a request of 542 bytes
        // before the response; a patch level without a dot; a node status query (type 33) to a DNS
        // server, which tshark dissects as DNS; the wildcard name padded with NULs.
        TsharkClaim(
            sample: "http-long-request-before-html-response.pcap", options: ["-Y", "http.response"],
            fields: ["http.server", "http.content_type"], lines: ["Apache/2.4.57 (Debian)\ttext/html"], exactly: true),
        TsharkClaim(
            sample: "ssh-banner-debian-revision.pcap", fields: ["ssh.protocol"],
            lines: ["SSH-2.0-OpenSSH_5.8p1 Debian-1ubuntu3", "SSH-2.0-OpenSSH_5.2"], exactly: true),
        TsharkClaim(
            sample: "netbios-status-query-to-dns-port-not-nbns.pcap", fields: ["dns.qry.name", "dns.qry.type"],
            lines: ["CKAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\t33"], exactly: true),
        TsharkClaim(
            sample: "netbios-wildcard-status-query.pcap", fields: ["nbns.name", "nbns.type"],
            lines: ["*<00><00><00><00><00><00><00><00><00><00><00><00><00><00><00>\t33"], exactly: true),
        TsharkClaim(
            sample: "smtp-greeting-with-version.pcap", options: ["-Y", "smtp.response.code == 220"],
            fields: ["smtp.rsp.parameter"], lines: ["mx.example.com ESMTP Exim 4.96 ready"], exactly: true),
        // The SYN comes from the public address.
        TsharkClaim(
            sample: "rdp-from-internet.pcap", options: ["-Y", "tcp.flags == 0x002"], fields: ["ip.src", "tcp.dstport"],
            lines: ["45.33.32.156\t3389"], exactly: true),
        TsharkClaim(
            sample: "dns-to-two-resolvers.pcap", fields: ["ip.src", "ip.dst", "dns.flags.response"],
            lines: ["10.0.0.20\t10.0.0.53\t0", "10.0.0.20\t8.8.8.8\t0", "10.0.0.21\t8.8.8.8\t0"], exactly: true),
        // Bad input: SOCKS 5 CONNECT then bytes that are neither TLS nor HTTP; a request head of 32 bytes
        // and ten 1,014-byte header lines with no end; a PRELOGIN whose length field (0x0fa0 = 4000)
        // exceeds the 30 bytes sent (tshark waits for the rest and dissects nothing).
        TsharkClaim(
            sample: "socks5-tunnel-without-tls.pcap", fields: ["socks.version", "socks.command"],
            lines: ["5\t", "5\t1"], exactly: true),
        TsharkClaim(
            sample: "http-endless-request-head.pcap", options: ["-Y", "tcp.dstport == 8080 && tcp.len > 0"],
            fields: ["tcp.len"], lines: ["32", "1014"], exactly: true),
        TsharkClaim(
            sample: "mssql-tds-length-past-end.pcap", options: ["-Y", "tcp.len > 0"],
            fields: ["tcp.len", "tcp.payload"],
            lines: ["30\t12010fa000000100" + String(repeating: "0", count: 44)], exactly: true),
        TsharkClaim(
            sample: "secret-markers-every-detector.pcap", fields: ["_ws.col.Protocol"],
            lines: ["TELNET", "FTP", "EXEC", "HTTP", "SMTP", "POP", "IMAP", "LDAP", "RESP", "SNMP", "Socks"]),
        // The public-trace disagreements of issue 15, in samples of their own.
        TsharkClaim(
            sample: "vnc-on-port-6900-from-internet.pcap", options: ["-d", "tcp.port==6900,vnc"],
            fields: ["vnc.server_proto_ver"], lines: ["003.008"], exactly: true),
        TsharkClaim(
            sample: "ssh-on-port-2222-from-internet.pcap", options: ["-d", "tcp.port==2222,ssh"],
            fields: ["ssh.protocol"], lines: ["SSH-2.0-OpenSSH_9.6"], exactly: true),
        TsharkClaim(
            sample: "ssh-weak-algorithms-negotiated.pcap", options: ["-Y", "ssh.kex_algorithms"],
            fields: [
                "tcp.srcport", "ssh.kex_algorithms", "ssh.encryption_algorithms_client_to_server",
                "ssh.mac_algorithms_client_to_server",
            ],
            lines: [
                "22\tdiffie-hellman-group14-sha256,diffie-hellman-group1-sha1\taes128-ctr,arcfour128,3des-cbc"
                    + "\thmac-sha2-256,hmac-md5",
                "41202\tdiffie-hellman-group1-sha1,diffie-hellman-group14-sha256\tarcfour128,aes128-ctr"
                    + "\thmac-md5,hmac-sha2-256",
            ], exactly: true),
        TsharkClaim(
            sample: "ssh-server-offers-weak-algorithms-client-refuses.pcap", options: ["-Y", "ssh.kex_algorithms"],
            fields: [
                "tcp.srcport", "ssh.kex_algorithms", "ssh.encryption_algorithms_client_to_server",
                "ssh.mac_algorithms_client_to_server",
            ],
            lines: [
                "22\tdiffie-hellman-group14-sha256,diffie-hellman-group1-sha1\taes128-ctr,arcfour128,3des-cbc"
                    + "\thmac-sha2-256,hmac-md5",
                "41203\tcurve25519-sha256,diffie-hellman-group14-sha256\taes128-ctr,chacha20-poly1305@openssh.com"
                    + "\thmac-sha2-256-etm@openssh.com,hmac-sha2-256",
            ], exactly: true),
        // The user only: tshark's socks.password would show the password.
        TsharkClaim(
            sample: "socks5-username-password-cleartext.pcap", options: ["-d", "tcp.port==1080,socks"],
            fields: ["socks.username"], lines: ["bob"], exactly: true),
        TsharkClaim(
            sample: "dns-over-tls-to-two-resolvers.pcap", options: ["-Y", "tls.handshake.type == 2"],
            fields: ["ip.src", "tcp.srcport", "tls.handshake.extensions.supported_version"],
            lines: ["8.8.8.8\t853\t0x0304", "10.0.0.53\t853\t0x0304"], exactly: true),
    ]
    for telnet in [
        "link-vlan-qinq-telnet.pcap", "link-linux-cooked-sll-telnet.pcap", "link-linux-cooked-sll2-telnet.pcap",
        "link-raw-ip-telnet.pcap", "link-null-loopback-telnet.pcap", "ipv6-extension-headers-telnet.pcap",
        "pcapng-format-telnet.pcapng", "truncated-mid-record-telnet.pcap", "link-mpls-telnet.pcap",
        "link-pppoe-telnet.pcap", "tunnel-gre-telnet.pcap", "tunnel-gre-ethernet-telnet.pcap",
        "tunnel-ip-in-ip-telnet.pcap", "tunnel-vxlan-telnet.pcap", "ip-fragments-telnet.pcap",
        "ipv6-fragments-telnet.pcap", "link-ppp-telnet.pcap", "link-cisco-hdlc-telnet.pcap", "link-nflog-telnet.pcap",
        "link-ieee80211-telnet.pcap", "link-ieee80211-radiotap-telnet.pcap", "link-ppi-ieee80211-telnet.pcap",
        "tunnel-gtp-u-telnet.pcap", "tunnel-geneve-telnet.pcap", "tunnel-erspan3-telnet.pcap",
    ] {
        claims.append(TsharkClaim(sample: telnet, fields: ["telnet.cmd"], lines: telnetCommands, exactly: true))
    }
    // tshark, like libpcap, stops at the damaged record header (record 3), before the negotiation that
    // Exposure's own reader still reaches.
    claims.append(
        TsharkClaim(sample: "corrupt-record-header-telnet.pcap", fields: ["telnet.cmd"], lines: [], exactly: true))
    // The same in pcapng: tshark stops at packet block 3, whose length is 13.
    claims.append(
        TsharkClaim(sample: "corrupt-block-length-telnet.pcapng", fields: ["telnet.cmd"], lines: [], exactly: true))
    // Cut at 64 bytes, each negotiation frame keeps only its first three commands.
    claims.append(
        TsharkClaim(
            sample: "snaplen-64-telnet.pcap", fields: ["telnet.cmd"], lines: ["251,251,252", "253,253,253"],
            exactly: true))
    return claims
}()

/// Whether tshark is installed (it is one of the test packages).
let tsharkAvailable = FileManager.default.isExecutableFile(atPath: "/usr/bin/tshark")

/// Runs tshark on a sample and returns its distinct non-empty output lines.
func tsharkLines(_ claim: TsharkClaim) throws -> Set<String> {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/tshark")
    process.arguments =
        ["-n", "-r", packageRoot + "/Captures/" + claim.sample] + claim.options + ["-T", "fields"]
        + claim.fields.flatMap { ["-e", $0] }
    // Output goes to a file: reading a pipe with FileHandle traps on EINTR when other tests' child
    // processes exit at the same moment.
    let outputPath = NSTemporaryDirectory() + "exposure-tshark-\(UUID().uuidString).txt"
    _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
    defer { try? FileManager.default.removeItem(atPath: outputPath) }
    let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    try output.close()
    let data = try Data(contentsOf: URL(fileURLWithPath: outputPath))
    let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    return Set(lines.filter { !$0.allSatisfy { $0 == "\t" } })
}

@Suite("tshark's dissection of each sample agrees with what the sample claims", .enabled(if: tsharkAvailable))
struct TsharkAgreementTests {
    @Test("every sample has a claim checked by tshark")
    func everySampleIsClaimed() {
        let claimed = Set(tsharkClaims.map(\.sample))
        for sample in captureSamples { #expect(claimed.contains(sample), "no tshark claim for \(sample)") }
    }

    @Test("tshark sees what the sample claims", arguments: tsharkClaims)
    func tsharkAgrees(_ claim: TsharkClaim) throws {
        let lines = try tsharkLines(claim)
        if claim.exactly {
            #expect(lines == claim.lines)
        } else {
            #expect(claim.lines.isSubset(of: lines), "tshark printed \(lines.sorted())")
        }
    }

    @Test("the HTTP Basic credentials after the 401 are alice's, as tshark decodes them")
    func httpBasicUser() throws {
        let claim = TsharkClaim(sample: "http-basic-auth-after-401.pcap", fields: ["http.authbasic"], lines: [])
        let lines = try tsharkLines(claim)
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("alice:") == true)
    }
}
