#!/usr/bin/env python3
"""Writes the correlation sample pair: an Azure export of a small estate
(`Topologies/correlation-every-check.json`) and a capture of the same estate's traffic
(`Captures/correlation-every-check.pcap`), made together so they describe the same addresses.
Run from anywhere: `python3 Topologies/make-correlation-sample.py`. Needs only the standard library.

The pair shows every correlation check; docs/correlation.md works out the expected findings by hand.
"""
import calendar
import importlib.util
import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

spec = importlib.util.spec_from_file_location("azure_samples", os.path.join(HERE, "make-azure-samples.py"))
azure = importlib.util.module_from_spec(spec)
spec.loader.exec_module(azure)
rid, rule, nsg, vnet, nic, public_ip, vm = (azure.rid, azure.rule, azure.nsg, azure.vnet, azure.nic,
                                           azure.public_ip, azure.vm)

RG = "rg-estate"


def topology():
    net = rid(RG, "Microsoft.Network/virtualNetworks", "estate-vnet")
    web_nsg = rid(RG, "Microsoft.Network/networkSecurityGroups", "web-nsg")
    app_nsg = rid(RG, "Microsoft.Network/networkSecurityGroups", "app-nsg")
    data_nsg = rid(RG, "Microsoft.Network/networkSecurityGroups", "data-nsg")
    spare_nsg = rid(RG, "Microsoft.Network/networkSecurityGroups", "spare-nsg")
    resources = [
        vnet(RG, "estate-vnet", ["10.10.0.0/16"], [
            ("web-subnet", "10.10.1.0/24", web_nsg),
            ("app-subnet", "10.10.2.0/24", app_nsg),
            ("data-subnet", "10.10.3.0/24", data_nsg),
            ("spare-subnet", "10.10.9.0/24", spare_nsg),
        ]),
        nsg(RG, "web-nsg", [
            lambda n: rule(n, "AllowSshFromInternet", 100, "Allow", "Tcp", "Internet", "*", "22",
                           "Administration from home"),
            lambda n: rule(n, "AllowHttpsFromPartner", 110, "Allow", "Tcp", "203.0.113.5", "*", "443",
                           "The partner's integration server"),
            lambda n: rule(n, "AllowFtpFromAnywhere", 120, "Allow", "Tcp", "Internet", "*", "21",
                           "Old file drop"),
        ]),
        nsg(RG, "app-nsg", [
            lambda n: rule(n, "AllowHttpFromWeb", 100, "Allow", "Tcp", "10.10.1.4", "10.10.2.0/24", "8000-8999",
                           "The web tier calls the application"),
        ]),
        nsg(RG, "data-nsg", [
            lambda n: rule(n, "AllowSqlFromApp", 100, "Allow", "Tcp", "10.10.2.4", "10.10.3.0/24", "1433",
                           "The application's database"),
            lambda n: rule(n, "DenyWebToData", 200, "Deny", "*", "10.10.1.0/24", "*", "*",
                           "The web tier never talks to the database"),
        ]),
        nsg(RG, "spare-nsg", [
            lambda n: rule(n, "AllowRdpFromVnet", 100, "Allow", "Tcp", "VirtualNetwork", "*", "3389",
                           "Spare capacity, administered from inside"),
        ]),
    ]
    machines = [
        ("web01", "10.10.1.4", "web-subnet", "20.50.0.10"),
        ("app01", "10.10.2.4", "app-subnet", None),
        ("db01", "10.10.3.4", "data-subnet", None),
        ("spare01", "10.10.9.4", "spare-subnet", None),
    ]
    for name, ip, subnet, address in machines:
        nic_id = rid(RG, "Microsoft.Network/networkInterfaces", f"{name}-nic")
        vm_id = rid(RG, "Microsoft.Compute/virtualMachines", name)
        pip_id = rid(RG, "Microsoft.Network/publicIPAddresses", f"{name}-pip") if address else None
        resources.append(nic(RG, f"{name}-nic", ip, f"{net}/subnets/{subnet}", pip=pip_id, vm=vm_id))
        if address:
            resources.append(public_ip(RG, f"{name}-pip", address, nic_id))
        resources.append(vm(RG, name, nic_id))
    return resources


# --- the capture: Ethernet frames built by hand, classic pcap, microsecond timestamps ---------------

def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def ipv4(text):
    return bytes(int(x) for x in text.split("."))


def ip_packet(src, dst, proto, segment):
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(segment), 0, 0x4000, 64, proto, 0, ipv4(src), ipv4(dst))
    header = header[:10] + struct.pack("!H", checksum(header)) + header[12:]
    return header + segment


def tcp(src, dst, sport, dport, flags, payload=b"", seq=1000, ack=0):
    offset_flags = (5 << 12) | flags
    segment = struct.pack("!HHIIHHHH", sport, dport, seq, ack, offset_flags, 65535, 0, 0) + payload
    pseudo = ipv4(src) + ipv4(dst) + struct.pack("!BBH", 0, 6, len(segment))
    segment = segment[:16] + struct.pack("!H", checksum(pseudo + segment)) + segment[18:]
    return ip_packet(src, dst, 6, segment)


def udp6(src, dst, sport, dport, payload):
    segment = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    header = struct.pack("!IHBB16s16s", 0x60000000, len(segment), 17, 64, src, dst)
    return header + segment


def ethernet(packet, ethertype=0x0800):
    return b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + struct.pack("!H", ethertype) + packet


SYN, ACK, PSH, FIN = 0x02, 0x10, 0x08, 0x01
TELNET_DO = bytes([255, 253, 24, 255, 253, 32])
TELNET_WILL = bytes([255, 251, 24, 255, 251, 32])
START = calendar.timegm((2026, 11, 30, 9, 0, 0))


def connection(client, server, cport, sport, minute, second=0.0):
    """A TCP connection of five packets one millisecond apart: handshake, a request, an answer."""
    t = START + minute * 60 + second
    packets = [
        tcp(client, server, cport, sport, SYN, seq=1000),
        tcp(server, client, sport, cport, SYN | ACK, seq=5000, ack=1001),
        tcp(client, server, cport, sport, ACK, seq=1001, ack=5001),
        tcp(client, server, cport, sport, PSH | ACK, b"hello", seq=1001, ack=5001),
        tcp(server, client, sport, cport, PSH | ACK, b"world", seq=5001, ack=1006),
    ]
    return [(t + i * 0.001, ethernet(p)) for i, p in enumerate(packets)]


def capture():
    frames = []
    # SSH from the internet: one client seen on the VM (after translation), one at the public IP.
    frames += connection("198.51.100.23", "10.10.1.4", 50001, 22, 0)
    frames += connection("198.51.100.24", "20.50.0.10", 50002, 22, 5)
    # The partner on HTTPS, exactly what its rule allows.
    frames += connection("203.0.113.5", "20.50.0.10", 50003, 443, 10)
    # Web to application on 8080 (the rule opens 8000-8999).
    frames += connection("10.10.1.4", "10.10.2.4", 50004, 8080, 15)
    # Application to database.
    frames += connection("10.10.2.4", "10.10.3.4", 50005, 1433, 20)
    # Web to database, which data-nsg denies.
    frames += connection("10.10.1.4", "10.10.3.4", 50006, 1433, 25)
    # A host missing from the export calls the application.
    frames += connection("10.10.2.9", "10.10.2.4", 50007, 8080, 30)
    # Web goes out to the internet.
    frames += connection("10.10.1.4", "93.184.216.34", 50008, 443, 35)
    # A conversation whose opening came before the capture began: no SYN, not an observed flow.
    t = START + 40 * 60
    frames.append((t, ethernet(tcp("203.0.113.77", "10.10.1.4", 50100, 443, PSH | ACK, b"more", seq=9, ack=9))))
    frames.append((t + 0.001, ethernet(tcp("10.10.1.4", "203.0.113.77", 443, 50100, ACK, seq=9, ack=13))))
    # Telnet from the application to the database host: the default AllowVnetInBound lets it in, so no
    # correlation check reports it, but the capture audit does (and names that rule with --capture-findings).
    t = START + 50 * 60
    telnet = [
        tcp("10.10.2.4", "10.10.3.4", 50010, 23, SYN, seq=100),
        tcp("10.10.3.4", "10.10.2.4", 23, 50010, SYN | ACK, seq=700, ack=101),
        tcp("10.10.2.4", "10.10.3.4", 50010, 23, ACK, seq=101, ack=701),
        tcp("10.10.3.4", "10.10.2.4", 23, 50010, PSH | ACK, TELNET_DO, seq=701, ack=101),
        tcp("10.10.2.4", "10.10.3.4", 50010, 23, PSH | ACK, TELNET_WILL, seq=101, ack=701 + len(TELNET_DO)),
        tcp("10.10.3.4", "10.10.2.4", 23, 50010, PSH | ACK, b"\r\ndb01 login: ", seq=701 + len(TELNET_DO),
            ack=101 + len(TELNET_WILL)),
        tcp("10.10.2.4", "10.10.3.4", 50010, 23, PSH | ACK, b"dbadmin\r\n", seq=101 + len(TELNET_WILL),
            ack=701 + len(TELNET_DO) + 15),
    ]
    frames += [(t + i * 0.001, ethernet(p)) for i, p in enumerate(telnet)]
    # IPv6 traffic, which the IPv4 topology cannot judge.
    v6a = bytes.fromhex("20010db8000000000000000000000001")
    v6b = bytes.fromhex("20010db8000000000000000000000002")
    frames.append((START + 45 * 60, ethernet(udp6(v6a, v6b, 5353, 53, b"\0" * 12), 0x86DD)))
    # The application again; its last packet ends the capture at 10:30:00, 5400 s after the first.
    frames += connection("10.10.2.4", "10.10.3.4", 50009, 1433, 89, 59.996)
    frames.sort(key=lambda f: f[0])
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)]
    for t, frame in frames:
        seconds = int(t)
        micros = int(round((t - seconds) * 1_000_000))
        if micros == 1_000_000:
            seconds, micros = seconds + 1, 0
        out.append(struct.pack("<IIII", seconds, micros, len(frame), len(frame)) + frame)
    return b"".join(out)


if __name__ == "__main__":
    with open(os.path.join(HERE, "correlation-every-check.json"), "w") as f:
        json.dump(topology(), f, indent=2)
        f.write("\n")
    with open(os.path.join(ROOT, "Captures", "correlation-every-check.pcap"), "wb") as f:
        f.write(capture())
    print("wrote Topologies/correlation-every-check.json and Captures/correlation-every-check.pcap")
