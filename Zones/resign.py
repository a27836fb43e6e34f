#!/usr/bin/env python3
"""Re-signs chosen NSEC or NSEC3 RRsets of an ldns-signzone output after make-samples.sh edited them.

ldns-signzone keeps hand-edited NSEC chains but not NSEC3 ones, so the NSEC3 fault samples are signed
here: RFC 4034 section 3.1.8.1 signed data (RRSIG RDATA without signature, then the canonical RRs),
ECDSA P-256 with SHA-256 (RFC 6605), with the private key ldns-keygen wrote.

usage: resign.py KEYBASE INCEPTION EXPIRATION OWNER... < zone > zone
Every NSEC/NSEC3 RRset at an OWNER listed gets its old RRSIGs replaced by a new one.
"""
import base64
import calendar
import sys
import time

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

TYPES = {"A": 1, "NS": 2, "SOA": 6, "MX": 15, "TXT": 16, "AAAA": 28, "DS": 43, "RRSIG": 46, "NSEC": 47,
         "DNSKEY": 48, "NSEC3": 50, "NSEC3PARAM": 51, "ZONEMD": 63}
B32HEX = "0123456789abcdefghijklmnopqrstuv"


def wire_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.lower().encode()
    return out + b"\0"


def bitmap(types):
    windows = {}
    for t in types:
        n = TYPES[t]
        windows.setdefault(n >> 8, set()).add(n & 0xFF)
    out = b""
    for w in sorted(windows):
        bits = bytearray(max(windows[w]) // 8 + 1)
        for b in windows[w]:
            bits[b // 8] |= 0x80 >> (b % 8)
        out += bytes([w, len(bits)]) + bytes(bits)
    return out


def b32hex_decode(text):
    value, bits, out = 0, 0, bytearray()
    for c in text.lower():
        value = value << 5 | B32HEX.index(c)
        bits += 5
        if bits >= 8:
            out.append((value >> (bits - 8)) & 0xFF)
            bits -= 8
    return bytes(out)


def rdata(rtype, fields):
    if rtype == "NSEC":
        return wire_name(fields[0]) + bitmap(fields[1:])
    if rtype == "NSEC3":
        alg, flags, iterations, salt, nxt = fields[:5]
        salt_bytes = b"" if salt == "-" else bytes.fromhex(salt)
        hashed = b32hex_decode(nxt)
        return (bytes([int(alg), int(flags)]) + int(iterations).to_bytes(2, "big") + bytes([len(salt_bytes)])
                + salt_bytes + bytes([len(hashed)]) + hashed + bitmap(fields[5:]))
    raise SystemExit(f"resign.py cannot encode {rtype}")


def key_tag(rdata_bytes):
    total = sum(b << 8 if i % 2 == 0 else b for i, b in enumerate(rdata_bytes))
    total += (total >> 16) & 0xFFFF
    return total & 0xFFFF


def timestamp(text):
    return calendar.timegm(time.strptime(text, "%Y%m%d%H%M%S"))


def main():
    keybase, inception, expiration = sys.argv[1], timestamp(sys.argv[2]), timestamp(sys.argv[3])
    owners = {o.lower().rstrip(".") + "." for o in sys.argv[4:]}
    private = dict(line.split(": ", 1) for line in open(keybase + ".private").read().splitlines() if ": " in line)
    scalar = int.from_bytes(base64.b64decode(private["PrivateKey"]), "big")
    key = ec.derive_private_key(scalar, ec.SECP256R1())
    public = key.public_key().public_numbers()
    dnskey = (256).to_bytes(2, "big") + bytes([3, 13]) + public.x.to_bytes(32, "big") + public.y.to_bytes(32, "big")
    tag = key_tag(dnskey)
    zone = wire_name("example.com.")

    lines = sys.stdin.read().splitlines()
    records = [line.split("\t") for line in lines]
    kept, sets = [], {}
    for line, f in zip(lines, records):
        if len(f) >= 5 and f[0].lower() in owners:
            if f[3] == "RRSIG" and f[4].split()[0] in ("NSEC", "NSEC3"):
                continue
            if f[3] in ("NSEC", "NSEC3"):
                sets.setdefault((f[0].lower(), f[3], int(f[1])), []).append(f[4].split())
        kept.append(line)
    for (owner, rtype, ttl), rrs in sorted(sets.items()):
        labels = len([l for l in owner.rstrip(".").split(".") if l])
        header = (TYPES[rtype].to_bytes(2, "big") + bytes([13, labels]) + ttl.to_bytes(4, "big")
                  + expiration.to_bytes(4, "big") + inception.to_bytes(4, "big") + tag.to_bytes(2, "big") + zone)
        data = header
        for r in sorted(rdata(rtype, fields) for fields in rrs):
            data += wire_name(owner) + TYPES[rtype].to_bytes(2, "big") + b"\0\1" + ttl.to_bytes(4, "big")
            data += len(r).to_bytes(2, "big") + r
        r_value, s_value = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
        signature = base64.b64encode(r_value.to_bytes(32, "big") + s_value.to_bytes(32, "big")).decode()
        kept.append(f"{owner}\t{ttl}\tIN\tRRSIG\t{rtype} 13 {labels} {ttl} {sys.argv[3]} {sys.argv[2]} {tag} "
                    f"example.com. {signature}")
    print("\n".join(kept))


main()
