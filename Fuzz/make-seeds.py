#!/usr/bin/env python3
"""Writes the seed corpora that the bundled samples do not already give (the capture, zone and
topology samples are seeds as they are; see scripts/fuzz.sh). Run it to regenerate Fuzz/seeds/.

Usage: python3 Fuzz/make-seeds.py [TARGET]   (no TARGET: all of them)
"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def conversation(port, *payloads):
    """The detectors target's input: a big-endian server port, then payloads split by 0xFF."""
    return struct.pack(">H", port) + b"\xff".join(payloads)


def detectors():
    return {
        "telnet-login": conversation(23, b"\xff\xfb\x01\xff\xfb\x03", b"login: ", b"alice\r\n"),
        "ftp-user": conversation(21, b"220 ProFTPD 1.3.5 Server ready\r\n", b"USER alice\r\n", b"331 ok\r\n"),
        "pop3-auth": conversation(110, b"+OK POP3 ready\r\n", b"AUTH PLAIN\r\n", b"+ \r\n"),
        "smtp-auth-login": conversation(25, b"220 mail ESMTP Postfix\r\n", b"EHLO x\r\n", b"250 AUTH LOGIN\r\n",
                                        b"AUTH LOGIN\r\n", b"334 VXNlcm5hbWU6\r\n"),
        "imap-login": conversation(143, b"* OK IMAP4rev1 ready\r\n", b"a1 LOGIN alice x\r\n"),
        "http-basic": conversation(80, b"GET / HTTP/1.1\r\nHost: h\r\nAuthorization: Basic YWxpY2U6eA==\r\n\r\n",
                                   b"HTTP/1.1 200 OK\r\nServer: Apache/2.4.1\r\nContent-Type: text/html\r\n\r\n<html>"),
        "ssh1-banner": conversation(22, b"SSH-1.5-OpenSSH_2.0\r\n", b"SSH-1.5-client\r\n"),
        "tls10-hello": conversation(443, bytes.fromhex("16030100310100002d0301") + b"\x00" * 32 + bytes.fromhex("000002002f0100"),
                                    bytes.fromhex("160301002a020000260301") + b"\x00" * 32 + bytes.fromhex("00002f00")),
        "socks5-connect": conversation(1080, b"\x05\x01\x00", b"\x05\x00", b"\x05\x01\x00\x01\xc0\x00\x02\x01\x01\xbb"),
        "http-connect": conversation(3128, b"CONNECT h:443 HTTP/1.1\r\n\r\n", b"HTTP/1.1 200 Connection established\r\n\r\n"),
        "smb1-negotiate": conversation(445, b"\x00\x00\x00\x2f\xffSMBr" + b"\x00" * 27 + b"\x02NT LM 0.12\x00"),
        "ldap-simple-bind": conversation(389, bytes.fromhex("3016020101600f020103040561646d696e8003706f77")),
        "rexec": conversation(512, b"0\x00alice\x00pw\x00ls\x00"),
        "redis-auth": conversation(6379, b"AUTH s3cret\r\n", b"+OK\r\n"),
        "tds-prelogin": conversation(1433, bytes.fromhex("1201002f0000010000001a00060100200001020021000103002200040400260001ff")),
        "rdp-x224": conversation(3389, bytes.fromhex("0300002b26e00000000000436f6f6b69653a206d737473686173683d610d0a0100080003000000")),
        "postgres-sslrequest": conversation(5432, bytes.fromhex("0000000804d2162f"), b"S"),
    }


def arm_expression():
    return {
        "concat": b"concat('web-', parameters('p'), '-nsg')",
        "format": b"format('{0}-{1}', variables('v'), copyIndex())",
        "unique": b"toLower(uniqueString(resourceGroup().id, deployment().name))",
        "substring": b"substring(concat('a', string(add(1, mul(2, 3)))), 0, 2)",
        "if": b"if(equals(parameters('p'), 'x'), '10.0.0.0/16', '*')",
        "array": b"first(split(replace('a,b,c', 'b', 'd'), ','))",
        "object": b"createObject('a', createArray(1, 2, 3)).a[1]",
        "reference": b"reference(resourceId('Microsoft.Network/publicIPAddresses', 'pip')).ipAddress",
        "length": b"string(length(union(createArray('a'), createArray('b'))))",
    }


def dns_reply():
    def name(labels):
        return b"".join(bytes([len(l)]) + l for l in labels) + b"\x00"
    question = name([b"example", b"com"]) + struct.pack(">HH", 1, 1)
    answer = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 300, 4) + bytes([192, 0, 2, 1])
    header = struct.pack(">HHHHHH", 0x1234, 0x8580, 1, 1, 0, 0)
    opt = b"\x00" + struct.pack(">HHIH", 41, 1232, 0, 0)
    with_opt = struct.pack(">HHHHHH", 0x1234, 0x8180, 1, 1, 0, 1) + question + answer + opt
    refused = struct.pack(">HHHHHH", 0x1234, 0x8105, 1, 0, 0, 0) + question
    return {"a-answer": header + question + answer, "with-opt": with_opt, "refused": refused}


TARGETS = {"detectors": detectors, "arm-expression": arm_expression, "dns-reply": dns_reply}


def main():
    wanted = sys.argv[1:] or list(TARGETS)
    for target in wanted:
        folder = os.path.join(HERE, "seeds", target)
        os.makedirs(folder, exist_ok=True)
        for name, data in TARGETS[target]().items():
            with open(os.path.join(folder, name), "wb") as f:
                f.write(data)


if __name__ == "__main__":
    main()
