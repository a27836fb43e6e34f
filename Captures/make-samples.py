#!/usr/bin/python3
"""Writes the capture samples in this folder: one small capture per behaviour, named after it.

Run from anywhere: `python3 Captures/make-samples.py` (needs Debian's python3-scapy; editcap from
wireshark-common for the pcapng and snap-length samples) rewrites them all;
`python3 Captures/make-samples.py NAME.pcap ...` rewrites only the samples named. The output is
deterministic: fixed addresses, ports, sequence numbers and timestamps, so regenerating changes nothing.
"""
import base64
import calendar
import os
import struct
import subprocess
import sys

from scapy.all import (IP, TCP, UDP, Ether, IPv6, Raw, wrpcap, CookedLinux, Loopback, Dot1Q, Dot1AD,
                       IPv6ExtHdrHopByHop, IPv6ExtHdrDestOpt, IPv6ExtHdrFragment, fragment, fragment6, conf)
from scapy.layers.l2 import CookedLinuxV2, GRE, LLC, SNAP
from scapy.layers.dot11 import RadioTap, Dot11, Dot11QoS
from scapy.layers.ppp import PPPoE, PPP
from scapy.layers.vxlan import VXLAN
from scapy.contrib.mpls import MPLS
from scapy.layers.llmnr import LLMNRQuery
from scapy.layers.dns import DNSQR
from scapy.layers.netbios import NBNSHeader, NBNSQueryRequest
from scapy.layers.snmp import SNMP, SNMPget, SNMPset, SNMPvarbind
from scapy.asn1.asn1 import ASN1_OID, ASN1_STRING

HERE = os.path.dirname(os.path.abspath(__file__))
START = calendar.timegm((2026, 3, 2, 9, 0, 0))
CLIENT_MAC, SERVER_MAC = "02:00:00:00:00:01", "02:00:00:00:00:02"
# The samples named on the command line; empty: all of them.
ONLY = set(sys.argv[1:])


def wanted(name):
    return not ONLY or name in ONLY


class Clock:
    """Capture time: every packet 10 ms after the previous one."""

    def __init__(self, offset=0.0):
        self.now = START + offset

    def tick(self):
        self.now += 0.01
        return self.now


class Conversation:
    """A TCP connection with a handshake, data in both directions with correct sequence numbers, and
    a FIN exchange. `link` wraps each IP packet in its link layer."""

    def __init__(self, client, server, cport, sport, clock=None, link=None, ipv6=False, ext=None):
        self.client, self.server, self.cport, self.sport = client, server, cport, sport
        self.clock = clock or Clock()
        self.link = link or ethernet
        self.ipv6, self.ext = ipv6, ext
        self.cseq, self.sseq = 1000, 5000
        self.packets = []

    def ip(self, src, dst):
        if self.ipv6:
            header = IPv6(src=src, dst=dst)
            return header / self.ext if self.ext is not None else header
        return IP(src=src, dst=dst, id=len(self.packets) + 1)

    def emit(self, from_client, flags, payload=b""):
        if from_client:
            segment = TCP(sport=self.cport, dport=self.sport, flags=flags, seq=self.cseq, ack=self.sseq)
            packet = self.ip(self.client, self.server) / segment
        else:
            segment = TCP(sport=self.sport, dport=self.cport, flags=flags, seq=self.sseq, ack=self.cseq)
            packet = self.ip(self.server, self.client) / segment
        if payload:
            packet = packet / Raw(load=payload)
        framed = self.link(packet, from_client)
        framed.time = self.clock.tick()
        self.packets.append(framed)
        step = len(payload) + (1 if "S" in flags or "F" in flags else 0)
        if from_client:
            self.cseq += step
        else:
            self.sseq += step
        return self

    def split(self, from_client, payload, cuts, order, repeat=None):
        """Sends `payload` as segments cut at `cuts`, in `order`, then `repeat` again (a retransmission)."""
        bounds = [0] + cuts + [len(payload)]
        pieces = [(bounds[i], payload[bounds[i]:bounds[i + 1]]) for i in range(len(bounds) - 1)]
        base = self.cseq if from_client else self.sseq
        for index in order + ([repeat] if repeat is not None else []):
            offset, piece = pieces[index]
            if from_client:
                self.cseq = base + offset
            else:
                self.sseq = base + offset
            self.emit(from_client, "PA", piece)
        if from_client:
            self.cseq = base + len(payload)
        else:
            self.sseq = base + len(payload)
        return self

    def handshake(self):
        self.emit(True, "S")
        self.sseq -= 0
        self.emit(False, "SA")
        self.emit(True, "A")
        return self

    def c(self, payload):
        return self.emit(True, "PA", payload)

    def s(self, payload):
        return self.emit(False, "PA", payload)

    def close(self):
        self.emit(True, "FA")
        self.emit(False, "FA")
        self.emit(True, "A")
        return self


def ethernet(packet, from_client):
    src, dst = (CLIENT_MAC, SERVER_MAC) if from_client else (SERVER_MAC, CLIENT_MAC)
    return Ether(src=src, dst=dst) / packet


def qinq(packet, from_client):
    src, dst = (CLIENT_MAC, SERVER_MAC) if from_client else (SERVER_MAC, CLIENT_MAC)
    return Ether(src=src, dst=dst) / Dot1AD(vlan=100) / Dot1Q(vlan=200) / packet


def cooked(packet, from_client):
    return CookedLinux(pkttype=0 if not from_client else 4, lladdrtype=1, lladdrlen=6,
                       src=b"\x02\x00\x00\x00\x00\x01\x00\x00", proto=0x0800) / packet


def cooked_v2(packet, from_client):
    return CookedLinuxV2(proto=0x0800, ifindex=2, pkttype=0 if not from_client else 4, lladdrtype=1,
                         lladdrlen=6, src=b"\x02\x00\x00\x00\x00\x01\x00\x00") / packet


def raw_ip(packet, from_client):
    return packet


def null_loopback(packet, from_client):
    return Loopback(type=2) / packet


def mpls(packet, from_client):
    src, dst = (CLIENT_MAC, SERVER_MAC) if from_client else (SERVER_MAC, CLIENT_MAC)
    return Ether(src=src, dst=dst) / MPLS(label=1000, s=0, ttl=64) / MPLS(label=2000, s=1, ttl=64) / packet


def pppoe(packet, from_client):
    src, dst = (CLIENT_MAC, SERVER_MAC) if from_client else (SERVER_MAC, CLIENT_MAC)
    return Ether(src=src, dst=dst, type=0x8864) / PPPoE(sessionid=7) / PPP(proto=0x0021) / packet


# Tunnel endpoints: the routers between the client's site and the server's.
TUNNEL_A, TUNNEL_B = "203.0.113.1", "203.0.113.2"


def outer(from_client):
    src, dst = (CLIENT_MAC, SERVER_MAC) if from_client else (SERVER_MAC, CLIENT_MAC)
    a, b = (TUNNEL_A, TUNNEL_B) if from_client else (TUNNEL_B, TUNNEL_A)
    return Ether(src=src, dst=dst) / IP(src=a, dst=b)


def gre_key(packet, from_client):
    return outer(from_client) / GRE(proto=0x0800, key_present=1, key=42) / packet


def gre_ethernet(packet, from_client):
    return outer(from_client) / GRE(proto=0x6558) / ethernet(packet, from_client)


def ip_in_ip(packet, from_client):
    return outer(from_client) / packet


def vxlan(packet, from_client):
    return outer(from_client) / UDP(sport=49152, dport=4789) / VXLAN(vni=5000, flags=0x08) / \
        ethernet(packet, from_client)


def fragmented(packets, ipv4_size=16, ipv6_mtu=80):
    """Each Ethernet packet that carries data sent as IP fragments (IPv4: 16 data bytes each; IPv6: an
    80-byte MTU, 32 data bytes each), the last fragment first, so reassembly has to wait for the
    earlier ones; packets without data as they are."""
    out = []
    for number, packet in enumerate(packets):
        if Raw not in packet:
            out.append(packet)
            continue
        if IPv6 in packet:
            ip = packet[IPv6]
            whole = IPv6(src=ip.src, dst=ip.dst) / IPv6ExtHdrFragment(id=0x1000 + number) / ip[TCP]
            pieces = fragment6(whole, ipv6_mtu)
        else:
            pieces = fragment(packet[IP], fragsize=ipv4_size)
        for piece in reversed(pieces):
            framed = Ether(src=packet.src, dst=packet.dst) / piece
            framed.time = packet.time
            out.append(framed)
    return out


def write(name, packets, linktype=None):
    """Writes a sample (or an intermediate `.tmp.` file), unless other samples were asked for."""
    path = os.path.join(HERE, name)
    if ".tmp." not in name and not wanted(name):
        return None
    wrpcap(path, packets, linktype=linktype)
    print("wrote", name, len(packets), "packets")
    return path


def udp(client, server, cport, sport, payload, clock, from_client=True):
    src, dst, a, b = (client, server, cport, sport) if from_client else (server, client, sport, cport)
    packet = ethernet(IP(src=src, dst=dst) / UDP(sport=a, dport=b) / payload, from_client)
    packet.time = clock.tick()
    return packet


# --- Telnet ---------------------------------------------------------------------------------------

TELNET_DO = bytes([255, 253, 24, 255, 253, 32, 255, 253, 35, 255, 253, 39])
TELNET_WILL = bytes([255, 251, 24, 255, 251, 32, 255, 252, 35, 255, 252, 39])


def telnet_session(conv):
    conv.handshake().s(TELNET_DO).c(TELNET_WILL).s(b"\r\nrouter login: ").c(b"admin\r\n")
    conv.s(b"Password: ").c(b"hunter2\r\n").s(b"router> ").c(b"exit\r\n").close()
    return conv.packets


# --- TLS ------------------------------------------------------------------------------------------

def extension(kind, data):
    return struct.pack("!HH", kind, len(data)) + data


def sni(name):
    entry = b"\x00" + struct.pack("!H", len(name)) + name.encode()
    return extension(0, struct.pack("!H", len(entry)) + entry)


def handshake_record(message_type, body, record_version=0x0301):
    message = bytes([message_type]) + struct.pack("!I", len(body))[1:] + body
    return bytes([22]) + struct.pack("!HH", record_version, len(message)) + message


def client_hello(suites, versions=None, name="intranet.example.com"):
    body = struct.pack("!H", 0x0303) + bytes(range(32)) + b"\x00"
    body += struct.pack("!H", 2 * len(suites)) + b"".join(struct.pack("!H", s) for s in suites) + b"\x01\x00"
    extensions = sni(name)
    if versions:
        listed = b"".join(struct.pack("!H", v) for v in versions)
        extensions += extension(0x002B, bytes([len(listed)]) + listed)
    body += struct.pack("!H", len(extensions)) + extensions
    return handshake_record(1, body)


def server_hello(version, suite, selected=None):
    body = struct.pack("!H", version) + bytes(range(100, 132)) + b"\x20" + bytes(range(32))
    body += struct.pack("!H", suite) + b"\x00"
    if selected:
        extensions = extension(0x002B, struct.pack("!H", selected))
        body += struct.pack("!H", len(extensions)) + extensions
    record_version = 0x0303 if selected else version
    done = handshake_record(14, b"", record_version)[5:] if not selected else b""
    hello = handshake_record(2, body, record_version)
    if done:  # ServerHelloDone in the same record, as servers send it
        payload = hello[5:] + done
        hello = bytes([22]) + struct.pack("!HH", record_version, len(payload)) + payload
    return hello


def tls_session(conv, client_bytes, server_bytes):
    conv.handshake().c(client_bytes).s(server_bytes)
    conv.c(bytes([20, 3, 3, 0, 1, 1])).s(bytes([20, 3, 3, 0, 1, 1]))
    conv.c(bytes([23, 3, 3, 0, 16]) + bytes(16)).s(bytes([23, 3, 3, 0, 16]) + bytes(16)).close()
    return conv.packets


MODERN_SUITES = [0x1301, 0x1302, 0xC02F, 0xC030, 0x009C, 0x002F]

# --- SMB ------------------------------------------------------------------------------------------

def netbios(message):
    return struct.pack("!I", len(message))


def smb1_header(command, response):
    flags = 0x98 if response else 0x18
    return b"\xffSMB" + bytes([command]) + b"\x00" * 4 + bytes([flags]) + struct.pack("<H", 0xC853) + b"\x00" * 12 \
        + struct.pack("<HHHH", 0, 0xFEFF, 0, 1)


DIALECTS = [b"PC NETWORK PROGRAM 1.0", b"LANMAN1.0", b"NT LM 0.12", b"SMB 2.002", b"SMB 2.???"]


def smb1_negotiate_request(dialects):
    names = b"".join(b"\x02" + d + b"\x00" for d in dialects)
    message = smb1_header(0x72, False) + b"\x00" + struct.pack("<H", len(names)) + names
    return netbios(message) + message


def smb1_negotiate_response(index):
    words = struct.pack("<HBHHIIII", index, 3, 50, 1, 16644, 65536, 0, 0x8000E3FD) + bytes(8) + struct.pack("<hB", 0, 8)
    message = smb1_header(0x72, True) + bytes([17]) + words + struct.pack("<H", 8) + bytes(8)
    return netbios(message) + message


def smb2_negotiate_response(dialect):
    header = b"\xfeSMB" + struct.pack("<HHIHHII", 64, 1, 0, 0, 1, 1, 0) + struct.pack("<QIIQ", 0, 0xFEFF, 0, 0) + bytes(16)
    body = struct.pack("<HHHH", 65, 1, dialect, 0) + bytes(16) + struct.pack("<IIII", 0x7, 65536, 65536, 65536)
    body += bytes(16) + struct.pack("<HHI", 128, 0, 0)
    message = header + body
    return netbios(message) + message


def smb2_message(command, body, response=False, status=0, message_id=0, session=0):
    flags = 1 if response else 0
    header = b"\xfeSMB" + struct.pack("<HHIHHIIQIIQ", 64, 1, status, command, 1, flags, 0, message_id, 0xFEFF, 0,
                                       session) + bytes(16)
    message = header + body
    return netbios(message) + message


def smb2_negotiate_request():
    body = struct.pack("<HHHHI", 36, 2, 1, 0, 0x7F) + bytes(16) + struct.pack("<IHH", 0, 0, 0) + struct.pack("<HH", 0x0202, 0x0210)
    return smb2_message(0, body)


def smb2_session_setup(token, message_id):
    body = struct.pack("<HBBIIHHQ", 25, 0, 1, 0, 0, 64 + 24, len(token), 0) + token
    return smb2_message(1, body, message_id=message_id)


def smb2_session_setup_response(token, status, message_id):
    body = struct.pack("<HHHH", 9, 0, 64 + 8, len(token)) + token
    return smb2_message(1, body, response=True, status=status, message_id=message_id, session=0x1234)


# --- NTLMSSP ----------------------------------------------------------------------------------------

def ntlm_negotiate():
    return b"NTLMSSP\x00" + struct.pack("<I", 1) + struct.pack("<I", 0x00088207) + bytes(16)


def ntlm_challenge():
    return b"NTLMSSP\x00" + struct.pack("<I", 2) + struct.pack("<HHI", 0, 0, 56) + struct.pack("<I", 0x00088205) \
        + bytes([1, 35, 69, 103, 137, 171, 205, 239]) + bytes(8) + struct.pack("<HHI", 0, 0, 56) + bytes(8)


def ntlm_authenticate(nt_response, user="bob", domain="CORP", workstation="WS01"):
    lm = bytes(range(24))
    payload_fields = [lm, nt_response, domain.encode("utf-16-le"), user.encode("utf-16-le"),
                      workstation.encode("utf-16-le"), b""]
    offset = 64
    header = b"NTLMSSP\x00" + struct.pack("<I", 3)
    payload = b""
    for field in payload_fields:
        header += struct.pack("<HHI", len(field), len(field), offset + len(payload))
        payload += field
    header += struct.pack("<I", 0x00088205)  # NEGOTIATE_UNICODE | NTLM | ...
    return header + payload


def http_ntlm_session(conv, nt_response):
    token = lambda message: base64.b64encode(message).decode()
    conv.handshake()
    conv.c(f"GET /reports HTTP/1.1\r\nHost: intranet\r\nAuthorization: NTLM {token(ntlm_negotiate())}\r\n\r\n".encode())
    conv.s(f"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: NTLM {token(ntlm_challenge())}\r\n"
           "Content-Length: 0\r\n\r\n".encode())
    conv.c(f"GET /reports HTTP/1.1\r\nHost: intranet\r\nAuthorization: NTLM "
           f"{token(ntlm_authenticate(nt_response))}\r\n\r\n".encode())
    conv.s(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok").close()
    return conv.packets


# --- LDAP -------------------------------------------------------------------------------------------

def ber(tag, contents):
    length = len(contents)
    encoded = bytes([length]) if length < 128 else bytes([0x81, length]) if length < 256 else b"\x82" + struct.pack("!H", length)
    return bytes([tag]) + encoded + contents


def ldap_message(message_id, operation):
    return ber(0x30, ber(0x02, bytes([message_id])) + operation)


def ldap_bind(message_id, name, authentication):
    return ldap_message(message_id, ber(0x60, ber(0x02, b"\x03") + ber(0x04, name.encode()) + authentication))


def ldap_bind_response(message_id):
    return ldap_message(message_id, ber(0x61, ber(0x0A, b"\x00") + ber(0x04, b"") + ber(0x04, b"")))


def main():
    conf.verb = 0
    for name in os.listdir(HERE) if not ONLY else []:
        if name.endswith(".pcap") or name.endswith(".pcapng"):
            os.remove(os.path.join(HERE, name))
    client, server = "198.51.100.20", "192.0.2.10"

    # Telnet, by content, on a non-standard port; and the same session on every supported link layer.
    write("telnet-on-port-2323.pcap", telnet_session(Conversation(client, server, 40001, 2323)))
    write("link-vlan-qinq-telnet.pcap", telnet_session(Conversation(client, server, 40002, 23, link=qinq)))
    write("link-linux-cooked-sll-telnet.pcap",
          telnet_session(Conversation(client, server, 40003, 23, link=cooked)), linktype=113)
    write("link-linux-cooked-sll2-telnet.pcap",
          telnet_session(Conversation(client, server, 40004, 23, link=cooked_v2)), linktype=276)
    # Encapsulations opened to the session inside: MPLS and PPPoE at the link layer, and tunnels.
    write("link-mpls-telnet.pcap", telnet_session(Conversation(client, server, 40200, 23, link=mpls)))
    write("link-pppoe-telnet.pcap", telnet_session(Conversation(client, server, 40201, 23, link=pppoe)))
    write("tunnel-gre-telnet.pcap", telnet_session(Conversation(client, server, 40202, 23, link=gre_key)))
    write("tunnel-gre-ethernet-telnet.pcap",
          telnet_session(Conversation(client, server, 40203, 23, link=gre_ethernet)))
    write("tunnel-ip-in-ip-telnet.pcap", telnet_session(Conversation(client, server, 40204, 23, link=ip_in_ip)))
    write("tunnel-vxlan-telnet.pcap", telnet_session(Conversation(client, server, 40205, 23, link=vxlan)))
    write("link-raw-ip-telnet.pcap", telnet_session(Conversation(client, server, 40005, 23, link=raw_ip)),
          linktype=101)
    write("link-null-loopback-telnet.pcap",
          telnet_session(Conversation("127.0.0.1", "127.0.0.1", 40006, 23, link=null_loopback)), linktype=0)
    write("ipv6-extension-headers-telnet.pcap",
          telnet_session(Conversation("2001:db8::20", "2001:db8::10", 40007, 23, ipv6=True,
                                      ext=IPv6ExtHdrHopByHop() / IPv6ExtHdrDestOpt())))
    write("ip-fragments-telnet.pcap", fragmented(telnet_session(Conversation(client, server, 40206, 23))))
    write("ipv6-fragments-telnet.pcap",
          fragmented(telnet_session(Conversation("2001:db8::20", "2001:db8::10", 40207, 23, ipv6=True))))
    if wanted("pcapng-format-telnet.pcapng"):
        pcap = write("pcapng-format-telnet.tmp.pcap", telnet_session(Conversation(client, server, 40008, 23)))
        subprocess.run(["editcap", "-F", "pcapng", pcap, os.path.join(HERE, "pcapng-format-telnet.pcapng")], check=True)
        os.remove(pcap)
        print("wrote pcapng-format-telnet.pcapng")
    # Cut by a 64-byte snap length: the negotiation at the start of each payload still shows.
    if wanted("snaplen-64-telnet.pcap"):
        pcap = write("snaplen.tmp.pcap", telnet_session(Conversation(client, server, 40009, 23)))
        subprocess.run(["editcap", "-F", "pcap", "-s", "64", pcap, os.path.join(HERE, "snaplen-64-telnet.pcap")], check=True)
        os.remove(pcap)
        print("wrote snaplen-64-telnet.pcap")
    # A file that ends in the middle of a record: the telnet session before the cut is still found.
    path = write("truncated-mid-record-telnet.pcap", telnet_session(Conversation(client, server, 40010, 23)))
    if path:
        with open(path, "rb+") as f:
            size = os.path.getsize(path)
            f.truncate(size - 20)
    # A damaged record header (record 3, the handshake's last ACK: its captured length overwritten with
    # 0xFFFFFF00): libpcap stops there; the own reader skips to the next sound record and the telnet
    # negotiation and login that follow are still found.
    path = write("corrupt-record-header-telnet.pcap", telnet_session(Conversation(client, server, 40012, 23)))
    if path:
        with open(path, "rb+") as f:
            data = bytearray(f.read())
            offset = 24
            for _ in range(2):
                offset += 16 + struct.unpack_from("<I", data, offset + 8)[0]
            struct.pack_into("<I", data, offset + 8, 0xFFFFFF00)
            f.seek(0)
            f.write(data)
        print("damaged record 3 of corrupt-record-header-telnet.pcap")
    # The same in pcapng: packet block 3's leading length overwritten with 13 (not a multiple of 4).
    # libpcap stops there; the own pcapng reader skips to the next sound block.
    if wanted("corrupt-block-length-telnet.pcapng"):
        pcap = write("corrupt-block.tmp.pcap", telnet_session(Conversation(client, server, 40013, 23)))
        path = os.path.join(HERE, "corrupt-block-length-telnet.pcapng")
        subprocess.run(["editcap", "-F", "pcapng", pcap, path], check=True)
        os.remove(pcap)
        with open(path, "rb+") as f:
            data = bytearray(f.read())
            offset, packets = 0, 0
            while True:
                block_type, length = struct.unpack_from("<II", data, offset)
                if block_type == 6:
                    packets += 1
                    if packets == 3:
                        break
                offset += length
            struct.pack_into("<I", data, offset + 4, 13)
            f.seek(0)
            f.write(data)
        print("damaged packet block 3 of corrupt-block-length-telnet.pcapng")

    # Decoy: TLS 1.2 with a modern suite on port 23 is not Telnet.
    write("tls-on-port-23-not-telnet.pcap",
          tls_session(Conversation(client, server, 40011, 23), client_hello(MODERN_SUITES),
                      server_hello(0x0303, 0xC02F)))

    # FTP with a cleartext login.
    conv = Conversation(client, server, 40020, 21).handshake()
    conv.s(b"220 (vsFTPd 3.0.3)\r\n").c(b"USER alice\r\n").s(b"331 Please specify the password.\r\n")
    conv.c(b"PASS s3cret-ftp\r\n").s(b"230 Login successful.\r\n").c(b"QUIT\r\n").s(b"221 Goodbye.\r\n").close()
    write("ftp-cleartext-login.pcap", conv.packets)

    # TLS versions and ciphers as the server chose them.
    write("tls10-server-chosen.pcap",
          tls_session(Conversation(client, server, 40030, 443), client_hello(MODERN_SUITES),
                      server_hello(0x0301, 0x002F)))
    # The ServerHello cut into three segments, sent out of order and one of them retransmitted.
    conv = Conversation(client, server, 40038, 443).handshake().c(client_hello(MODERN_SUITES))
    conv.split(False, server_hello(0x0301, 0x002F), [7, 40], [0, 2, 1], repeat=1).close()
    write("tls10-server-hello-split-out-of-order.pcap", conv.packets)
    write("tls11-server-chosen.pcap",
          tls_session(Conversation(client, server, 40031, 8443), client_hello(MODERN_SUITES),
                      server_hello(0x0302, 0x002F)))
    write("sslv3-server-chosen.pcap",
          tls_session(Conversation(client, server, 40032, 443), client_hello(MODERN_SUITES),
                      server_hello(0x0300, 0x002F)))
    write("tls13-not-legacy.pcap",
          tls_session(Conversation(client, server, 40033, 443), client_hello(MODERN_SUITES, [0x0304, 0x0303]),
                      server_hello(0x0303, 0x1301, selected=0x0304)))
    write("tls12-rc4-cipher-chosen.pcap",
          tls_session(Conversation(client, server, 40034, 443), client_hello([0x0005, 0x002F]),
                      server_hello(0x0303, 0x0005)))
    write("tls12-3des-cipher-chosen.pcap",
          tls_session(Conversation(client, server, 40035, 443), client_hello([0x000A, 0xC02F]),
                      server_hello(0x0303, 0x000A)))
    # Decoy: a client offering TLS 1.0 and RC4 among others, the server choosing TLS 1.2 and AES-GCM.
    write("tls-client-offers-rc4-server-refuses.pcap",
          tls_session(Conversation(client, server, 40036, 443), client_hello([0x0005, 0x000A, 0xC02F]),
                      server_hello(0x0303, 0xC02F)))

    # SSLv2: a pure v2 CLIENT-HELLO answered by a v2 SERVER-HELLO.
    challenge = bytes(range(16))
    hello = b"\x01\x00\x02" + struct.pack("!HHH", 3, 0, 16) + b"\x01\x00\x80" + challenge
    v2_client = struct.pack("!H", 0x8000 | len(hello)) + hello
    certificate = bytes(range(48))
    body = b"\x04\x00\x01\x00\x02" + struct.pack("!HHH", len(certificate), 3, 16) + certificate + b"\x01\x00\x80" + challenge
    v2_server = struct.pack("!H", 0x8000 | len(body)) + body
    conv = Conversation(client, server, 40037, 443).handshake().c(v2_client).s(v2_server).close()
    write("sslv2-server-hello.pcap", conv.packets)

    # SSH: a version-1 server; and the decoy SSH-1.99 server with an SSH-2 client.
    conv = Conversation(client, server, 40040, 22).handshake()
    conv.s(b"SSH-1.5-OpenSSH_2.9p2\n").c(b"SSH-1.5-OpenSSH_3.0\n").s(bytes(64)).c(bytes(64)).close()
    write("ssh1-server.pcap", conv.packets)
    conv = Conversation(client, server, 40041, 22).handshake()
    conv.s(b"SSH-1.99-OpenSSH_3.9p1\r\n").c(b"SSH-2.0-OpenSSH_9.2p1\r\n").s(bytes(64)).c(bytes(64)).close()
    write("ssh-1.99-server-ssh2-client-not-v1.pcap", conv.packets)

    # HTTP Basic credentials sent after a 401, on the same kept-alive connection.
    conv = Conversation(client, server, 40050, 80).handshake()
    conv.c(b"GET /admin HTTP/1.1\r\nHost: intranet\r\n\r\n")
    conv.s(b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"admin\"\r\nContent-Length: 0\r\n\r\n")
    conv.c(b"GET /admin HTTP/1.1\r\nHost: intranet\r\nAuthorization: Basic "
           + base64.b64encode(b"alice:s3cret-http") + b"\r\n\r\n")
    conv.s(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok").close()
    write("http-basic-auth-after-401.pcap", conv.packets)

    # TFTP read request and the first data block from the server's transfer port.
    clock = Clock()
    tftp_request = struct.pack("!H", 1) + b"pxelinux.cfg/default\x00octet\x00"
    write("tftp-read-request.pcap", [
        udp(client, server, 40060, 69, tftp_request, clock),
        udp(client, server, 40060, 50000, struct.pack("!HH", 3, 1) + b"default menu.c32\n", clock, from_client=False),
        udp(client, server, 40060, 50000, struct.pack("!HH", 4, 1), clock),
    ])

    # The r-commands.
    conv = Conversation(client, server, 1023, 513).handshake()
    conv.c(b"\x00").c(b"alice\x00alice\x00xterm/38400\x00").s(b"\x00").s(b"Last login: Mon Mar  2\r\n$ ").close()
    write("rlogin-session.pcap", conv.packets)
    conv = Conversation(client, server, 1022, 514).handshake()
    conv.c(b"0\x00alice\x00root\x00uptime\x00").s(b"\x00 09:00:00 up 42 days\n").close()
    write("rsh-command.pcap", conv.packets)
    conv = Conversation(client, server, 40070, 512).handshake()
    conv.c(b"0\x00alice\x00s3cret-rexec\x00uptime\x00").s(b"\x00 09:00:00 up 42 days\n").close()
    write("rexec-command.pcap", conv.packets)

    # SMB: a server that negotiates SMB1; a client offering SMB1 to a server answering SMB2 (info).
    conv = Conversation(client, server, 40080, 445).handshake()
    conv.c(smb1_negotiate_request(DIALECTS[:3])).s(smb1_negotiate_response(2)).close()
    write("smb1-negotiated.pcap", conv.packets)
    conv = Conversation(client, server, 40081, 445).handshake()
    conv.c(smb1_negotiate_request(DIALECTS)).s(smb2_negotiate_response(0x02FF)).close()
    write("smb1-offered-smb2-chosen.pcap", conv.packets)

    # NTLM over HTTP: a 24-byte NT response is NTLMv1; an NTLMv2 response (longer) is the decoy.
    write("ntlmv1-over-http.pcap", http_ntlm_session(Conversation(client, server, 40090, 80), bytes(range(24))))
    ntlmv2 = bytes(range(16)) + b"\x01\x01\x00\x00\x00\x00\x00\x00" + bytes(8) + bytes(range(8)) + bytes(4) + bytes(4)
    write("ntlmv2-over-http-not-v1.pcap", http_ntlm_session(Conversation(client, server, 40091, 80), ntlmv2))

    # NTLMv1 inside SMB2 SESSION_SETUP, the NTLMSSP tokens raw in the security buffer.
    conv = Conversation(client, server, 40092, 445).handshake()
    conv.c(smb2_negotiate_request()).s(smb2_negotiate_response(0x0210))
    conv.c(smb2_session_setup(ntlm_negotiate(), 1))
    conv.s(smb2_session_setup_response(ntlm_challenge(), 0xC0000016, 1))
    conv.c(smb2_session_setup(ntlm_authenticate(bytes(range(24)), user="carol", domain="CORP"), 2))
    conv.s(smb2_session_setup_response(b"", 0, 2)).close()
    write("ntlmv1-in-smb2-session-setup.pcap", conv.packets)

    # SNMP: v1 get and v2c set; the communities must never appear in a report.
    clock = Clock()
    get = SNMP(version=0, community=ASN1_STRING(b"public-s3cret"),
               PDU=SNMPget(id=1, varbindlist=[SNMPvarbind(oid=ASN1_OID("1.3.6.1.2.1.1.1.0"))]))
    write("snmpv1-get.pcap", [udp(client, server, 40100, 161, bytes(get), clock)])
    clock = Clock()
    setting = SNMP(version=1, community=ASN1_STRING(b"private-s3cret"),
                   PDU=SNMPset(id=2, varbindlist=[SNMPvarbind(oid=ASN1_OID("1.3.6.1.2.1.1.5.0"),
                                                              value=ASN1_STRING(b"core-sw1"))]))
    write("snmpv2c-set.pcap", [udp(client, server, 40101, 161, bytes(setting), clock)])

    # Mail logins without TLS, and the decoy that issues STARTTLS first.
    conv = Conversation(client, server, 40110, 110).handshake()
    conv.s(b"+OK POP3 server ready\r\n").c(b"USER alice\r\n").s(b"+OK\r\n").c(b"PASS s3cret-pop\r\n")
    conv.s(b"+OK logged in\r\n").c(b"QUIT\r\n").s(b"+OK bye\r\n").close()
    write("pop3-cleartext-login.pcap", conv.packets)
    conv = Conversation(client, server, 40111, 143).handshake()
    conv.s(b"* OK [CAPABILITY IMAP4rev1 LOGIN] ready\r\n").c(b"a1 LOGIN alice s3cret-imap\r\n")
    conv.s(b"a1 OK LOGIN completed\r\n").c(b"a2 LOGOUT\r\n").s(b"* BYE\r\na2 OK\r\n").close()
    write("imap-cleartext-login.pcap", conv.packets)
    conv = Conversation(client, server, 40112, 587).handshake()
    conv.s(b"220 mail.example.com ESMTP\r\n").c(b"EHLO ws01\r\n")
    conv.s(b"250-mail.example.com\r\n250 AUTH PLAIN LOGIN\r\n")
    conv.c(b"AUTH PLAIN " + base64.b64encode(b"\x00alice\x00s3cret-smtp") + b"\r\n")
    conv.s(b"235 2.7.0 Authentication successful\r\n").c(b"QUIT\r\n").s(b"221 2.0.0 Bye\r\n").close()
    write("smtp-auth-plain-cleartext.pcap", conv.packets)
    conv = Conversation(client, server, 40113, 587).handshake()
    conv.s(b"220 mail.example.com ESMTP\r\n").c(b"EHLO ws01\r\n")
    conv.s(b"250-mail.example.com\r\n250-STARTTLS\r\n250 AUTH PLAIN LOGIN\r\n").c(b"STARTTLS\r\n")
    conv.s(b"220 2.0.0 Ready to start TLS\r\n").c(client_hello(MODERN_SUITES, [0x0304]))
    conv.s(server_hello(0x0303, 0x1301, selected=0x0304)).c(bytes([23, 3, 3, 0, 32]) + bytes(32)).close()
    write("smtp-starttls-before-auth.pcap", conv.packets)

    # STARTTLS into TLS 1.0: the session is protected, but with a deprecated version.
    conv = Conversation(client, server, 40114, 25).handshake()
    conv.s(b"220 mail.example.com ESMTP\r\n").c(b"EHLO ws01\r\n")
    conv.s(b"250-mail.example.com\r\n250 STARTTLS\r\n").c(b"STARTTLS\r\n")
    conv.s(b"220 2.0.0 Ready to start TLS\r\n").c(client_hello(MODERN_SUITES, name="mail.example.com"))
    conv.s(server_hello(0x0301, 0x002F)).c(bytes([23, 3, 1, 0, 32]) + bytes(32)).close()
    write("smtp-starttls-into-tls10.pcap", conv.packets)

    # LDAP: a simple bind with a password; the decoys are a SASL bind and an anonymous bind.
    conv = Conversation(client, server, 40120, 389).handshake()
    conv.c(ldap_bind(1, "cn=admin,dc=example,dc=com", ber(0x80, b"s3cret-ldap"))).s(ldap_bind_response(1))
    conv.c(ldap_message(2, ber(0x42, b""))).close()
    write("ldap-simple-bind.pcap", conv.packets)
    conv = Conversation(client, server, 40121, 389).handshake()
    conv.c(ldap_bind(1, "", ber(0x80, b""))).s(ldap_bind_response(1))
    conv.c(ldap_bind(2, "", ber(0xA3, ber(0x04, b"GSSAPI") + ber(0x04, bytes(32))))).s(ldap_bind_response(2))
    conv.c(ldap_message(3, ber(0x42, b""))).close()
    write("ldap-sasl-and-anonymous-binds-not-cleartext.pcap", conv.packets)

    # Broadcast and multicast name resolution.
    clock = Clock()
    query = LLMNRQuery(id=0x1234, qd=DNSQR(qname="fileserv", qtype="A"))
    packet = Ether(src=CLIENT_MAC, dst="01:00:5e:00:00:fc") / IP(src=client, dst="224.0.0.252", ttl=1) \
        / UDP(sport=50001, dport=5355) / query
    packet.time = clock.tick()
    write("llmnr-query.pcap", [packet])
    clock = Clock()
    query = NBNSHeader(NAME_TRN_ID=0x4321, NM_FLAGS=0x11, QDCOUNT=1) / NBNSQueryRequest(QUESTION_NAME="WPAD", SUFFIX="workstation")
    packet = Ether(src=CLIENT_MAC, dst="ff:ff:ff:ff:ff:ff") / IP(src=client, dst="198.51.100.255") \
        / UDP(sport=137, dport=137) / query
    packet.time = clock.tick()
    write("netbios-ns-query.pcap", [packet])

    secrets_and_evidence(client, server)
    dtls(client, server)
    tls_after_openings(client, server)
    ntlm_in_every_carrier(client, server)
    smaller_fixes(client, server)
    information_leakage(client, server)
    more_links_and_tunnels(client, server)
    malformed_openings(client, server)
    public_trace_fixes(client, server)
    remaining_trace_disagreements(client, server)


def ads_header(target, source, command, flags, data, invoke):
    """A Beckhoff ADS request or response: the AMS/TCP header (two reserved bytes, the length) and the
    32-byte AMS header (NetIds and ports of target and source, command, state flags, data length)."""
    ams = target + struct.pack("<H", 851) + source + struct.pack("<H", 32905)
    ams += struct.pack("<HHIII", command, flags, len(data), 0, invoke) + data
    return b"\x00\x00" + struct.pack("<I", len(ams)) + ams


def secrets_and_evidence(client, server):
    """Protocols named only on evidence of them, and credentials that must never be printed: every
    credential below holds the marker XMRK, which no report may contain."""
    # Redis `AUTH <password>` answered `+OK`: no POP3 greeting, not port 110, so not POP3.
    conv = Conversation(client, server, 40300, 6379).handshake()
    conv.c(b"AUTH XMRKredisPW\r\n").s(b"+OK\r\n").c(b"PING\r\n").s(b"+PONG\r\n").close()
    write("redis-auth-password-not-pop3.pcap", conv.packets)
    # Beckhoff ADS ReadDeviceInfo (AMS/TCP 00 00 20 00 00 00 …): NUL-led binary, not rexec.
    plc, engineer = bytes([192, 0, 2, 10, 1, 1]), bytes([198, 51, 100, 20, 1, 1])
    conv = Conversation(client, server, 40301, 48898).handshake()
    conv.c(ads_header(plc, engineer, 1, 0x0004, b"", 1))
    conv.s(ads_header(engineer, plc, 1, 0x0005, struct.pack("<IBBH", 0, 3, 1, 4024) + b"TwinCAT".ljust(16, b"\x00"), 1))
    write("beckhoff-ads-not-rexec.pcap", conv.close().packets)
    # SMTP AUTH LOGIN abandoned with QUIT: an attempt without TLS, but no user name was sent.
    conv = Conversation(client, server, 40302, 587).handshake()
    conv.s(b"220 mail.example.com ESMTP\r\n").c(b"EHLO ws01\r\n").s(b"250-mail.example.com\r\n250 AUTH LOGIN\r\n")
    conv.c(b"AUTH LOGIN\r\n").s(b"334 VXNlcm5hbWU6\r\n").c(b"QUIT\r\n").s(b"221 2.0.0 Bye\r\n").close()
    write("smtp-auth-login-then-quit-no-user.pcap", conv.packets)

    # One session per detector that sees a credential, each credential a unique XMRK marker.
    clock = Clock()
    packets = []

    def session(port, sport):
        return Conversation(client, server, port, sport, clock=clock)

    b64 = lambda data: base64.b64encode(data)
    conv = session(40310, 23).handshake().s(TELNET_DO).c(TELNET_WILL).s(b"login: ").c(b"admin\r\n")
    packets += conv.s(b"Password: ").c(b"XMRKtelnetPW\r\n").s(b"$ ").close().packets
    conv = session(40311, 21).handshake().s(b"220 ready\r\n").c(b"USER alice\r\n").s(b"331 Password\r\n")
    packets += conv.c(b"PASS XMRKftpPW\r\n").s(b"230 ok\r\n").close().packets
    conv = session(40312, 512).handshake().c(b"0\x00alice\x00XMRKrexecPW\x00uptime\x00").s(b"\x00up\n")
    packets += conv.close().packets
    conv = session(40313, 80).handshake()
    conv.c(b"GET / HTTP/1.1\r\nHost: a\r\nAuthorization: Basic " + b64(b"alice:XMRKhttpPW") + b"\r\n\r\n")
    packets += conv.s(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n").close().packets
    packets += http_ntlm_session(session(40314, 80), b"XMRKntlmPW-24-bytes-long")
    conv = session(40315, 587).handshake().s(b"220 mail ESMTP\r\n").c(b"EHLO ws01\r\n").s(b"250 AUTH PLAIN\r\n")
    packets += conv.c(b"AUTH PLAIN " + b64(b"\x00alice\x00XMRKsmtpPlainPW") + b"\r\n").s(b"235 ok\r\n").close().packets
    conv = session(40316, 587).handshake().s(b"220 mail ESMTP\r\n").c(b"EHLO ws01\r\n").s(b"250 AUTH LOGIN\r\n")
    conv.c(b"AUTH LOGIN\r\n").s(b"334 VXNlcm5hbWU6\r\n").c(b64(b"alice") + b"\r\n").s(b"334 UGFzc3dvcmQ6\r\n")
    packets += conv.c(b64(b"XMRKsmtpLoginPW") + b"\r\n").s(b"235 ok\r\n").close().packets
    conv = session(40317, 110).handshake().s(b"+OK POP3 ready\r\n").c(b"USER alice\r\n").s(b"+OK\r\n")
    packets += conv.c(b"PASS XMRKpop3PW\r\n").s(b"+OK in\r\n").close().packets
    # The password where a mechanism belongs, on a real POP3 server: masked, not printed.
    conv = session(40318, 110).handshake().s(b"+OK POP3 ready\r\n").c(b"AUTH XMRKpop3MechanismPW\r\n")
    packets += conv.s(b"-ERR unknown mechanism\r\n").close().packets
    conv = session(40319, 143).handshake().s(b"* OK IMAP4rev1 ready\r\n").c(b"a1 LOGIN alice XMRKimapPW\r\n")
    packets += conv.s(b"a1 OK\r\n").close().packets
    conv = session(40320, 143).handshake().s(b"* OK IMAP4rev1 ready\r\n").c(b"a1 AUTHENTICATE PLAIN\r\n").s(b"+ \r\n")
    packets += conv.c(b64(b"\x00alice\x00XMRKimapPlainPW") + b"\r\n").s(b"a1 OK\r\n").close().packets
    conv = session(40321, 389).handshake()
    conv.c(ldap_bind(1, "cn=alice,dc=example,dc=com", ber(0x80, b"XMRKldapPW"))).s(ldap_bind_response(1))
    packets += conv.close().packets
    conv = session(40322, 6379).handshake().c(b"AUTH XMRKredisPW\r\n").s(b"+OK\r\n")
    packets += conv.close().packets
    conv = session(40324, 1080).handshake().c(b"\x05\x01\x02").s(b"\x05\x02")
    packets += conv.c(b"\x01\x05alice\x0cXMRKsocks5PW").s(b"\x01\x00").close().packets
    community = SNMP(version=1, community=ASN1_STRING(b"XMRKsnmpCommunity"),
                     PDU=SNMPget(id=3, varbindlist=[SNMPvarbind(oid=ASN1_OID("1.3.6.1.2.1.1.1.0"))]))
    packets.append(udp(client, server, 40323, 161, bytes(community), clock))
    write("secret-markers-every-detector.pcap", packets)


def dtls_record(version, message_type, body, sequence):
    """A DTLS record holding one unfragmented handshake message (RFC 6347 §4.1, §4.2.2)."""
    length = struct.pack("!I", len(body))[1:]
    message = bytes([message_type]) + length + struct.pack("!H", sequence) + b"\x00\x00\x00" + length + body
    return bytes([22]) + struct.pack("!HH", version, 0) + b"\x00\x00" + struct.pack("!I", sequence) + \
        struct.pack("!H", len(message)) + message


def dtls_hello_pair(version, suite):
    """A DTLS ClientHello (no cookie, as the first flight) and the server's ServerHello."""
    client = struct.pack("!H", 0xFEFD) + bytes(range(32)) + b"\x00" + b"\x00"  # session id, cookie
    client += struct.pack("!H", 4) + struct.pack("!HH", 0xC02F, suite) + b"\x01\x00"
    server = struct.pack("!H", version) + bytes(range(100, 132)) + b"\x00" + struct.pack("!H", suite) + b"\x00"
    return dtls_record(0xFEFD if version == 0xFEFD else version, 1, client, 0), dtls_record(version, 2, server, 0)


def dtls(client, server):
    """DTLS as the server chose it: 1.0 (RFC 4347), OpenSSL's pre-RFC 0x0100 with 3DES, and 1.2 (quiet)."""
    for name, port, version, suite in [("dtls10-server-chosen.pcap", 40400, 0xFEFF, 0x002F),
                                       ("dtls-0x0100-3des-server-chosen.pcap", 40401, 0x0100, 0x000A),
                                       ("dtls12-not-legacy.pcap", 40402, 0xFEFD, 0xC02F)]:
        clock = Clock()
        hello, answer = dtls_hello_pair(version, suite)
        write(name, [udp(client, server, port, 4433, hello, clock),
                     udp(client, server, port, 4433, answer, clock, from_client=False)])


def mysql_packet(sequence, body):
    return struct.pack("<I", len(body))[:3] + bytes([sequence]) + body


def tls_after_openings(client, server):
    """TLS 1.0 (and RC4 or 3DES) after an opening other than STARTTLS: SOCKS 4, 4a and 5, HTTP CONNECT,
    RDP's X.224 negotiation, MySQL's SSL request, PostgreSQL's SSLRequest; and SOCKS 5 carrying plain
    HTTP, which is not TLS."""
    destination = bytes([192, 0, 2, 100])
    name = b"intranet.example.com"
    openings = [
        ("tls10-rc4-in-socks4.pcap", 1080, 0x0005,
         [(True, b"\x04\x01\x01\xbb" + destination + b"alice\x00"), (False, b"\x00\x5a\x01\xbb" + destination)]),
        ("tls10-3des-in-socks4a.pcap", 1080, 0x000A,
         [(True, b"\x04\x01\x01\xbb\x00\x00\x00\x01\x00" + name + b"\x00"), (False, b"\x00\x5a" + bytes(6))]),
        ("tls10-rc4-in-socks5.pcap", 1080, 0x0005,
         [(True, b"\x05\x01\x00"), (False, b"\x05\x00"),
          (True, b"\x05\x01\x00\x03" + bytes([len(name)]) + name + b"\x01\xbb"),
          (False, b"\x05\x00\x00\x01" + destination + b"\x01\xbb")]),
        ("tls10-in-http-connect.pcap", 3128, 0x002F,
         [(True, b"CONNECT intranet.example.com:443 HTTP/1.1\r\nHost: intranet.example.com:443\r\n\r\n"),
          (False, b"HTTP/1.1 200 Connection established\r\n\r\n")]),
        # X.224 Connection Request with an RDP Negotiation Request for PROTOCOL_SSL, and the Confirm.
        ("tls10-in-rdp-x224.pcap", 3389, 0x002F,
         [(True, bytes.fromhex("030000130ee00000000000010008000100000000")[:19]),
          (False, bytes.fromhex("030000130ed00000123400020008000100000000")[:19])]),
        # The server's greeting (protocol 10, CLIENT_SSL among its capabilities), the client's SSL request.
        ("tls10-in-mysql-ssl-request.pcap", 3306, 0x002F,
         [(False, mysql_packet(0, b"\x0a5.5.62\x00" + struct.pack("<I", 7) + b"abcdefgh\x00" +
                               struct.pack("<HBHH", 0xF7FF, 8, 2, 0x807F) + b"\x15" + bytes(10) +
                               b"ijklmnopqrst\x00mysql_native_password\x00")),
          (True, mysql_packet(1, struct.pack("<IIB", 0x000FAA85, 1 << 24, 8) + bytes(23)))]),
        ("tls10-in-postgresql-sslrequest.pcap", 5432, 0x002F,
         [(True, struct.pack("!II", 8, 80877103)), (False, b"S")]),
    ]
    for number, (sample, port, suite, steps) in enumerate(openings):
        conv = Conversation(client, server, 40500 + number, port).handshake()
        for from_client, payload in steps:
            conv.emit(from_client, "PA", payload)
        conv.c(client_hello([suite, 0xC02F])).s(server_hello(0x0301, suite))
        conv.c(bytes([23, 3, 1, 0, 16]) + bytes(16)).s(bytes([23, 3, 1, 0, 16]) + bytes(16))
        write(sample, conv.close().packets)
    conv = Conversation(client, server, 40520, 1080).handshake()
    conv.c(b"\x05\x01\x00").s(b"\x05\x00").c(b"\x05\x01\x00\x01" + destination + b"\x00\x50")
    conv.s(b"\x05\x00\x00\x01" + destination + b"\x00\x50").c(b"GET / HTTP/1.1\r\nHost: intranet\r\n\r\n")
    conv.s(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    write("socks5-plain-http-not-tls.pcap", conv.close().packets)


def tds_packet(kind, payload, packet_id=1):
    """A TDS packet ([MS-TDS] §2.2.3): type, status EOM, big-endian length, SPID, packet id, window."""
    return struct.pack("!BBHHBB", kind, 1, 8 + len(payload), 0, packet_id, 0) + payload


def tds_login7_with_sspi(sspi):
    """A LOGIN7 ([MS-TDS] §2.2.6.4) with integrated security on, a host name and the SSPI blob."""
    host = "WS01".encode("utf-16-le")
    data_start = 94
    fixed = struct.pack("<IIIIII", 0, 0x74000004, 4096, 7, 1234, 0) + bytes([0xE0, 0x83, 0, 0]) + struct.pack("<iI", 0, 0x409)
    end = data_start + len(host)
    pairs = struct.pack("<HH", data_start, 2) + struct.pack("<HH", end, 0) * 8
    rest = bytes(6) + struct.pack("<HH", end, len(sspi)) + struct.pack("<HH", end + len(sspi), 0) + \
        struct.pack("<HH", end + len(sspi), 0) + struct.pack("<I", 0)
    body = fixed + pairs + rest + host + sspi
    return struct.pack("<I", len(body)) + body[4:]


def ntlm_in_every_carrier(client, server):
    """NTLMv1 in SASL NTLM over SMTP, IMAP and POP3, and in MSSQL's TDS; NTLMv2 in SMTP, not reported."""
    token = lambda message: base64.b64encode(message)
    v1 = bytes(range(24))
    v2 = bytes(range(16)) + b"\x01\x01\x00\x00\x00\x00\x00\x00" + bytes(8) + bytes(range(8)) + bytes(8)
    for name, port, nt in [("smtp-auth-ntlmv1.pcap", 40600, v1), ("smtp-auth-ntlmv2-not-cleartext.pcap", 40601, v2)]:
        conv = Conversation(client, server, port, 587).handshake()
        conv.s(b"220 mail.example.com ESMTP\r\n").c(b"EHLO ws01\r\n").s(b"250-mail.example.com\r\n250 AUTH NTLM\r\n")
        conv.c(b"AUTH NTLM " + token(ntlm_negotiate()) + b"\r\n").s(b"334 " + token(ntlm_challenge()) + b"\r\n")
        conv.c(token(ntlm_authenticate(nt, user="dave")) + b"\r\n").s(b"235 2.7.0 ok\r\n").close()
        write(name, conv.packets)
    conv = Conversation(client, server, 40602, 143).handshake()
    conv.s(b"* OK IMAP4rev1 ready\r\n").c(b"a1 AUTHENTICATE NTLM\r\n").s(b"+ \r\n")
    conv.c(token(ntlm_negotiate()) + b"\r\n").s(b"+ " + token(ntlm_challenge()) + b"\r\n")
    conv.c(token(ntlm_authenticate(v1, user="erin")) + b"\r\n").s(b"a1 OK done\r\n").close()
    write("imap-authenticate-ntlmv1.pcap", conv.packets)
    conv = Conversation(client, server, 40603, 110).handshake()
    conv.s(b"+OK POP3 ready\r\n").c(b"AUTH NTLM\r\n").s(b"+ \r\n")
    conv.c(token(ntlm_negotiate()) + b"\r\n").s(b"+ " + token(ntlm_challenge()) + b"\r\n")
    conv.c(token(ntlm_authenticate(v1, user="frank")) + b"\r\n").s(b"+OK logged in\r\n").close()
    write("pop3-auth-ntlmv1.pcap", conv.packets)
    # MSSQL: PRELOGIN without encryption (ENCRYPT_NOT_SUP), LOGIN7 carrying NTLM NEGOTIATE, the server's
    # SSPI token (0xED) with the CHALLENGE, and the AUTHENTICATE in an SSPI packet (0x11).
    prelogin = struct.pack("!BHH", 0, 11, 6) + struct.pack("!BHH", 1, 17, 1) + b"\xff" + bytes([15, 0, 0x07, 0xD0, 0, 0]) + b"\x02"
    conv = Conversation(client, server, 40604, 1433).handshake()
    conv.c(tds_packet(0x12, prelogin)).s(tds_packet(0x04, prelogin))
    conv.c(tds_packet(0x10, tds_login7_with_sspi(ntlm_negotiate())))
    challenge = ntlm_challenge()
    conv.s(tds_packet(0x04, b"\xed" + struct.pack("<H", len(challenge)) + challenge))
    conv.c(tds_packet(0x11, ntlm_authenticate(v1, user="sqlsvc", domain="CORP"))).s(tds_packet(0x04, b"\xfd" + bytes(12)))
    write("mssql-tds-sspi-ntlmv1.pcap", conv.close().packets)


def llmnr_query(name, ident):
    """An LLMNR query for an A record, the name's labels as UTF-8 (RFC 4795 §2.1)."""
    labels = b"".join(bytes([len(label)]) + label for label in name.encode("utf-8").split(b".")) + b"\x00"
    return struct.pack("!HHHHHH", ident, 0, 1, 0, 0, 0) + labels + struct.pack("!HH", 1, 1)


def smaller_fixes(client, server):
    """FTP without its greeting, SSH-1 spoken to an SSH-1.99 server, SMB1 without a Negotiate, many
    NetBIOS names from one host, a non-ASCII LLMNR name, and LLMNR over TCP."""
    conv = Conversation(client, server, 40700, 21)
    conv.c(b"TYPE I\r\n").s(b"200 Switching to Binary mode.\r\n").c(b"PASV\r\n")
    conv.s(b"227 Entering Passive Mode (192,0,2,10,195,80).\r\n").c(b"RETR backup.tar\r\n")
    conv.s(b"150 Opening BINARY mode data connection.\r\n226 Transfer complete.\r\n").close()
    write("ftp-mid-session-no-greeting.pcap", conv.packets)
    conv = Conversation(client, server, 40701, 22).handshake()
    conv.s(b"SSH-1.99-OpenSSH_3.9p1\r\n").c(b"SSH-1.5-PuTTY_Release_0.53b\r\n").s(bytes(64)).c(bytes(64)).close()
    write("ssh1-client-to-ssh-1.99-server.pcap", conv.packets)
    echo = smb1_header(0x2B, False) + b"\x01" + struct.pack("<H", 1) + struct.pack("<H", 4) + b"ping"
    conv = Conversation(client, server, 40702, 445).handshake().c(netbios(echo) + echo).close()
    write("smb1-mid-session-no-negotiate.pcap", conv.packets)
    clock = Clock()
    packets = []
    for number, name in enumerate(["WPAD", "FILESRV", "PRINTSRV", "INTRANET", "BACKUP", "MAIL", "SQL01", "DC01"]):
        query = NBNSHeader(NAME_TRN_ID=0x4400 + number, NM_FLAGS=0x11, QDCOUNT=1) / \
            NBNSQueryRequest(QUESTION_NAME=name, SUFFIX="workstation")
        packet = Ether(src=CLIENT_MAC, dst="ff:ff:ff:ff:ff:ff") / IP(src=client, dst="198.51.100.255") \
            / UDP(sport=137, dport=137) / query
        packet.time = clock.tick()
        packets.append(packet)
    write("netbios-ns-eight-names-broadcast.pcap", packets)
    clock = Clock()
    packet = Ether(src=CLIENT_MAC, dst="01:00:5e:00:00:fc") / IP(src=client, dst="224.0.0.252", ttl=1) \
        / UDP(sport=50002, dport=5355) / Raw(load=llmnr_query("café-srv", 0x2345))
    packet.time = clock.tick()
    write("llmnr-non-ascii-name.pcap", [packet])
    query = llmnr_query("fileserv", 0x3456)
    conv = Conversation(client, server, 40703, 5355).handshake().c(struct.pack("!H", len(query)) + query).close()
    write("llmnr-over-tcp.pcap", conv.packets)


def information_leakage(client, server):
    """Versions announced in cleartext, HTML without security headers (and a decoy that has them),
    RDP opened from a public address, and DNS sent to two resolvers."""
    conv = Conversation(client, server, 40800, 80).handshake().c(b"GET / HTTP/1.1\r\nHost: intranet\r\n\r\n")
    conv.s(b"HTTP/1.1 200 OK\r\nServer: Apache/2.4.41 (Ubuntu)\r\nX-Powered-By: PHP/7.4.3\r\n"
           b"Content-Type: text/html; charset=UTF-8\r\nContent-Length: 13\r\n\r\n<html></html>")
    write("http-version-banners-and-no-security-headers.pcap", conv.close().packets)
    conv = Conversation(client, server, 40801, 80).handshake().c(b"GET / HTTP/1.1\r\nHost: intranet\r\n\r\n")
    conv.s(b"HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/html\r\n"
           b"Content-Security-Policy: default-src 'self'; frame-ancestors 'none'\r\n"
           b"X-Content-Type-Options: nosniff\r\nContent-Length: 13\r\n\r\n<html></html>")
    write("http-security-headers-present-not-missing.pcap", conv.close().packets)
    conv = Conversation(client, server, 40802, 22).handshake()
    conv.s(b"SSH-2.0-OpenSSH_8.2p1 Ubuntu-4ubuntu0.5\r\n").c(b"SSH-2.0-OpenSSH_9.2p1\r\n").s(bytes(64)).close()
    write("ssh-banner-with-patch-level.pcap", conv.packets)
    conv = Conversation(client, server, 40803, 25).handshake()
    conv.s(b"220 mx.example.com ESMTP Exim 4.96 ready\r\n").c(b"EHLO ws01\r\n").s(b"250 mx.example.com\r\n")
    write("smtp-greeting-with-version.pcap", conv.c(b"QUIT\r\n").s(b"221 bye\r\n").close().packets)
    # A public client (not private, CGNAT or documentation space) opening RDP to an internal server.
    conv = Conversation("45.33.32.156", "10.0.0.5", 40804, 3389).handshake()
    conv.c(bytes.fromhex("030000130ee00000000000010008000300000000")[:19])
    write("rdp-from-internet.pcap", conv.s(bytes.fromhex("030000130ed00000123400020008000200000000")[:19]).close().packets)
    clock = Clock()
    query = lambda ident: struct.pack("!HHHHHH", ident, 0x0100, 1, 0, 0, 0) + b"\x07example\x03com\x00\x00\x01\x00\x01"
    write("dns-to-two-resolvers.pcap", [udp("10.0.0.20", "10.0.0.53", 40805, 53, query(1), clock),
                                         udp("10.0.0.20", "8.8.8.8", 40806, 53, query(2), clock),
                                         udp("10.0.0.21", "8.8.8.8", 40807, 53, query(3), clock)])


def netbios_status_query(ident):
    """A NetBIOS node status request (NBSTAT, type 0x21) for the wildcard name `*` padded with NULs
    (RFC 1002 §4.2.17), as nbtstat -A and scanners send it."""
    name = b"*" + bytes(15)
    encoded = bytes(b for byte in name for b in (0x41 + (byte >> 4), 0x41 + (byte & 0xF)))
    return struct.pack("!HHHHHH", ident, 0, 1, 0, 0, 0) + b"\x20" + encoded + b"\x00" + struct.pack("!HH", 0x21, 1)


def public_trace_fixes(client, server):
    """What the hand check against public traces found wrong, each in its own small shape: an HTTP
    request longer than 256 bytes (a cookie) before an HTML response without security headers (nDPI's
    http_auth.pcap), a Debian patch level without a dot in an SSH banner (Zeek's ssh-on-port-80), a
    NetBIOS node status query sent to a DNS server (nDPI's netbios_wildcard_dns_query: DNS, not NBNS)
    and one sent to a host's name service, whose wildcard name is padded with NULs (nDPI's netbios)."""
    cookie = b"Cookie: session=" + b"a1b2c3d4" * 60 + b"\r\n"
    conv = Conversation(client, server, 41100, 80).handshake()
    conv.c(b"GET /index.html HTTP/1.1\r\nHost: intranet\r\n" + cookie + b"\r\n")
    conv.s(b"HTTP/1.1 200 OK\r\nServer: Apache/2.4.57 (Debian)\r\nContent-Type: text/html\r\n"
           b"Content-Length: 13\r\n\r\n<html></html>")
    write("http-long-request-before-html-response.pcap", conv.close().packets)
    conv = Conversation(client, server, 41101, 22).handshake()
    conv.s(b"SSH-2.0-OpenSSH_5.8p1 Debian-1ubuntu3\r\n").c(b"SSH-2.0-OpenSSH_5.2\r\n").s(bytes(64)).close()
    write("ssh-banner-debian-revision.pcap", conv.packets)
    clock = Clock()
    write("netbios-status-query-to-dns-port-not-nbns.pcap",
          [udp(client, "10.0.0.53", 41102, 53, Raw(load=netbios_status_query(0x5501)), clock)])
    clock = Clock()
    write("netbios-wildcard-status-query.pcap",
          [udp(client, server, 41103, 137, Raw(load=netbios_status_query(0x5502)), clock)])


def name_list(names):
    data = ",".join(names).encode()
    return struct.pack("!I", len(data)) + data


def ssh_kexinit(kex, ciphers, macs, host_keys=("ssh-ed25519",)):
    """An SSH_MSG_KEXINIT (RFC 4253 §7.1) in a binary packet (§6) without encryption: the same
    cipher and MAC lists both ways, compression none, padding to a multiple of 8 (at least 4 bytes)."""
    payload = bytes([20]) + bytes(range(16)) + name_list(kex) + name_list(host_keys)
    payload += name_list(ciphers) * 2 + name_list(macs) * 2 + name_list(["none"]) * 2 + name_list([]) * 2
    payload += b"\x00" + bytes(4)
    padding = 8 - (5 + len(payload)) % 8
    padding += 8 if padding < 4 else 0
    return struct.pack("!IB", 1 + len(payload) + padding, padding) + payload + bytes(padding)


MODERN_SSH = (["curve25519-sha256", "diffie-hellman-group14-sha256"], ["aes128-ctr", "chacha20-poly1305@openssh.com"],
              ["hmac-sha2-256-etm@openssh.com", "hmac-sha2-256"])


def remaining_trace_disagreements(client, server):
    """The disagreements with public traces fixed in the second round of issue 15: VNC (its RFB
    banner) on port 6900 and SSH on port 2222, both opened from a public address (nDPI's vnc.pcap;
    Zeek's ssh-on-port-80 names SSH by content); SOCKS 5 user/password sub-negotiation, RFC 1929
    (Zeek's socks-auth.pcap, user bob); weak SSH algorithms negotiated (nDPI's ssh.pcap: arcfour128);
    DNS over TLS to a resolver, approved or not (nDPI's dns_dot.pcap, 8.8.8.8:853)."""
    internet = "45.33.32.156"
    conv = Conversation(internet, "10.0.0.5", 41200, 6900).handshake()
    conv.s(b"RFB 003.008\n").c(b"RFB 003.008\n").s(b"\x01\x02").c(b"\x02").s(bytes(range(16)))
    conv.c(bytes(range(16, 32))).s(bytes(4)).c(b"\x01")
    write("vnc-on-port-6900-from-internet.pcap", conv.close().packets)
    conv = Conversation(internet, "10.0.0.5", 41201, 2222).handshake()
    conv.s(b"SSH-2.0-OpenSSH_9.6\r\n").c(b"SSH-2.0-OpenSSH_9.6\r\n")
    conv.s(ssh_kexinit(*MODERN_SSH)).c(ssh_kexinit(*MODERN_SSH))
    write("ssh-on-port-2222-from-internet.pcap", conv.close().packets)
    # The server offers RC4, 3DES, group 1 and HMAC-MD5 among others; the client asks for them first.
    conv = Conversation(client, server, 41202, 22).handshake()
    conv.s(b"SSH-2.0-OpenSSH_5.3\r\n").c(b"SSH-2.0-OpenSSH_5.3\r\n")
    conv.s(ssh_kexinit(["diffie-hellman-group14-sha256", "diffie-hellman-group1-sha1"],
                       ["aes128-ctr", "arcfour128", "3des-cbc"], ["hmac-sha2-256", "hmac-md5"], ["ssh-rsa"]))
    conv.c(ssh_kexinit(["diffie-hellman-group1-sha1", "diffie-hellman-group14-sha256"],
                       ["arcfour128", "aes128-ctr"], ["hmac-md5", "hmac-sha2-256"], ["ssh-rsa"]))
    write("ssh-weak-algorithms-negotiated.pcap", conv.close().packets)
    # The same server offer, but the client prefers modern algorithms: only offered, not negotiated.
    conv = Conversation(client, server, 41203, 22).handshake()
    conv.s(b"SSH-2.0-OpenSSH_5.3\r\n").c(b"SSH-2.0-OpenSSH_9.6\r\n")
    conv.s(ssh_kexinit(["diffie-hellman-group14-sha256", "diffie-hellman-group1-sha1"],
                       ["aes128-ctr", "arcfour128", "3des-cbc"], ["hmac-sha2-256", "hmac-md5"], ["ssh-rsa"]))
    conv.c(ssh_kexinit(*MODERN_SSH, ["ssh-rsa"]))
    write("ssh-server-offers-weak-algorithms-client-refuses.pcap", conv.close().packets)
    # SOCKS 5: methods no-auth and user/password, the server picks user/password (2), RFC 1929.
    destination = bytes([192, 0, 2, 100])
    conv = Conversation(client, server, 41204, 1080).handshake()
    conv.c(b"\x05\x02\x00\x02").s(b"\x05\x02").c(b"\x01\x03bob\x07hunter2").s(b"\x01\x00")
    conv.c(b"\x05\x01\x00\x01" + destination + b"\x00\x50").s(b"\x05\x00\x00\x01" + destination + b"\x00\x50")
    conv.c(b"GET / HTTP/1.1\r\nHost: intranet\r\n\r\n").s(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    write("socks5-username-password-cleartext.pcap", conv.close().packets)
    # DNS over TLS (RFC 7858, TCP 853) to 8.8.8.8 and to the approved 10.0.0.53, TLS 1.3 both.
    packets = []
    clock = Clock()
    for number, resolver in enumerate(["8.8.8.8", "10.0.0.53"]):
        conv = Conversation("10.0.0.20", resolver, 41205 + number, 853, clock=clock)
        packets += tls_session(conv, client_hello(MODERN_SUITES, versions=[0x0304, 0x0303], name="dns.google"),
                               server_hello(0x0303, 0x1301, selected=0x0304))
    write("dns-over-tls-to-two-resolvers.pcap", packets)


def raw_link(prefix):
    """A link layer of fixed header bytes in front of the IP packet."""
    return lambda packet, from_client: Raw(load=prefix + bytes(packet))


def nflog(packet, from_client):
    """NFLOG: family AF_INET, version 0, resource id 0, a prefix TLV and the payload TLV (type 9),
    lengths and types little-endian as an x86 writer leaves them, each padded to 4 bytes."""
    def tlv(kind, value):
        data = struct.pack("<HH", 4 + len(value), kind) + value
        return data + bytes(-len(data) % 4)
    return Raw(load=bytes([2, 0, 0, 0]) + tlv(10, b"exposure\x00") + tlv(9, bytes(packet)))


def dot11_frame(packet, from_client):
    """An 802.11 QoS data frame from a station to its access point, LLC/SNAP, then IP."""
    a, b = (CLIENT_MAC, SERVER_MAC) if from_client else (SERVER_MAC, CLIENT_MAC)
    return Dot11(type=2, subtype=8, FCfield="to-DS" if from_client else "from-DS", addr1="02:00:00:00:00:aa",
                 addr2=a, addr3=b) / Dot11QoS() / LLC(dsap=0xAA, ssap=0xAA, ctrl=3) / SNAP(code=0x0800) / packet


def radiotap(packet, from_client):
    return RadioTap() / dot11_frame(packet, from_client)


def ppi(packet, from_client):
    return Raw(load=struct.pack("<BBHI", 0, 0, 8, 105) + bytes(dot11_frame(packet, from_client)))


def gtp_u(packet, from_client):
    inner = bytes(packet)
    return outer(from_client) / UDP(sport=2152, dport=2152) / Raw(load=struct.pack("!BBHI", 0x30, 0xFF, len(inner), 0x1234) + inner)


def geneve(packet, from_client):
    header = struct.pack("!BBHI", 0, 0, 0x6558, 5000 << 8)
    return outer(from_client) / UDP(sport=49153, dport=6081) / Raw(load=header + bytes(ethernet(packet, from_client)))


def erspan3(packet, from_client):
    # Version 2 (type III), VLAN 0; COS, BSO, T and session 7; timestamp; SGT; flags with O clear.
    header = struct.pack("!HHIHH", 0x2000, 0x0007, 123456, 0, 0x0000)
    return outer(from_client) / GRE(proto=0x22EB, seqnum_present=1, seqence_number=1) / \
        Raw(load=header + bytes(ethernet(packet, from_client)))


def more_links_and_tunnels(client, server):
    """The Telnet session over PPP, Cisco HDLC, NFLOG, 802.11 (bare, radiotap, PPI) and inside GTP-U,
    Geneve and ERSPAN type III."""
    for number, (name, link, linktype) in enumerate([
            ("link-ppp-telnet.pcap", raw_link(b"\xff\x03\x00\x21"), 9),
            ("link-cisco-hdlc-telnet.pcap", raw_link(b"\x0f\x00\x08\x00"), 104),
            ("link-nflog-telnet.pcap", nflog, 239),
            ("link-ieee80211-telnet.pcap", dot11_frame, 105),
            ("link-ieee80211-radiotap-telnet.pcap", radiotap, 127),
            ("link-ppi-ieee80211-telnet.pcap", ppi, 192),
            ("tunnel-gtp-u-telnet.pcap", gtp_u, None),
            ("tunnel-geneve-telnet.pcap", geneve, None),
            ("tunnel-erspan3-telnet.pcap", erspan3, None)]):
        write(name, telnet_session(Conversation(client, server, 40900 + number, 23, link=link)), linktype=linktype)


def malformed_openings(client, server):
    """Bad input, counted as named anomalies: a SOCKS 5 tunnel that carries neither TLS nor HTTP, an
    HTTP request head that never ends (10 KiB of headers), and a TDS PRELOGIN whose length (4000)
    runs past the 30 bytes sent before the connection closed."""
    destination = bytes([192, 0, 2, 100])
    conv = Conversation(client, server, 41000, 1080).handshake()
    conv.c(b"\x05\x01\x00").s(b"\x05\x00").c(b"\x05\x01\x00\x01" + destination + b"\x01\xbb")
    conv.s(b"\x05\x00\x00\x01" + destination + b"\x01\xbb").c(bytes(range(200, 240)))
    write("socks5-tunnel-without-tls.pcap", conv.close().packets)
    conv = Conversation(client, server, 41001, 8080).handshake().c(b"GET / HTTP/1.1\r\nHost: intranet\r\n")
    for number in range(10):
        conv.c(b"X-Filler-%d: " % number + b"a" * 1000 + b"\r\n")
    write("http-endless-request-head.pcap", conv.close().packets)
    conv = Conversation(client, server, 41002, 1433).handshake()
    conv.c(struct.pack("!BBHHBB", 0x12, 1, 4000, 0, 1, 0) + bytes(22))
    write("mssql-tds-length-past-end.pcap", conv.close().packets)


if __name__ == "__main__":
    main()
