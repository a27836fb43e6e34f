#!/usr/bin/env bash
# Makes the sample zones in this folder with ldns-keygen / ldns-signzone (Debian's ldnsutils) and
# small text edits. Each sample is named after what it shows; see docs/dns-zones.md.
#
#   bash Zones/make-samples.sh                  # every sample
#   bash Zones/make-samples.sh bogus-signature  # only the samples named (the rest is made, not written)
#
# Keys are kept in Zones/keys/ (test-only keys, committed, so a sample made again keeps its key tags
# and trust-anchor-ksk.ds still matches it); a key missing there is made fresh. ECDSA signatures are
# randomised, so a sample made again differs in its signature bytes only: check the expected findings
# in Tests/DNSTests/Expected afterwards (swift test --filter ZoneCLITests).
#
# Signature windows: healthy zones are valid from 2026-01-01 to 2036-01-01 (before 2038, where
# libldns' 32-bit time handling goes wrong); tests and `make run` judge at 2026-11-21T00:00:00Z, the
# one moment at which every sample shows what it is named after (signature-expiring.zone expires
# 2026-11-25, four days later).
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

ORIGIN=example.com
INCEPTION=20260101000000
EXPIRATION=20360101000000

# The unsigned zone every sample starts from: apex, mail, a delegation with glue, a name whose
# parents (c, b.c) exist only as empty non-terminals, and a wildcard (its RRSIG Labels field leaves
# the `*` out, so verifiers must rebuild the owner).
cat >"$work/base.zone" <<'ZONE'
$ORIGIN example.com.
$TTL 3600
@         IN SOA  ns1 hostmaster 2026112101 7200 3600 1209600 3600
@         IN NS   ns1
@         IN MX   10 mail
ns1       IN A    192.0.2.1
www       IN A    192.0.2.2
www       IN AAAA 2001:db8::2
mail      IN A    192.0.2.3
sub       IN NS   ns.sub
sub       IN DS   12345 13 2 8F2B2C1D3E4F5A6B7C8D9E0F1A2B3C4D5E6F7A8B9C0D1E2F3A4B5C6D7E8F9A0B
ns.sub    IN A    192.0.2.9
a.b.c     IN TXT  "deep name below two empty non-terminals"
*.wild    IN TXT  "a wildcard below the empty non-terminal wild"
ZONE

# key ROLE ldns-keygen-options...: the path (without .key/.private) of the committed key of that role.
mkdir -p keys
key() {
    local role=$1 base
    shift
    base=$(cat "keys/$role.name" 2>/dev/null || true)
    if [ -z "$base" ] || [ ! -f "keys/$base.private" ]; then
        base=$(cd keys && ldns-keygen "$@" "$ORIGIN")
        rm -f "keys/$base.ds"
        echo "$base" >"keys/$role.name"
    fi
    echo "$PWD/keys/$base"
}
ZSK=$(key zsk -a ECDSAP256SHA256)
KSK=$(key ksk -k -a ECDSAP256SHA256)
# With sample names on the command line, only those are written.
wanted=" $* "
want() { [ "$wanted" = "  " ] || [[ "$wanted" == *" $1 "* ]]; }
sign() { # sign INPUT OUTPUT [ldns-signzone options...]
    local input=$1 output=$2
    shift 2
    ldns-signzone -o "$ORIGIN" -f "$output" "$@" "$input" "$ZSK" "$KSK"
}
# The records of a signed zone without its signatures, ready to edit and sign again: ldns-signzone
# keeps NSEC and NSEC3 records it finds, so edited chains get valid signatures.
unsigned_copy() { awk -F'\t' '$4 != "RRSIG"' "$1"; }
header() { printf '; %s\n; Made by make-samples.sh. Origin example.com.\n$ORIGIN example.com.\n' "$1"; }
emit() { # emit NAME DESCRIPTION < zone text
    if want "$1"; then { header "$2"; cat; } >"$1.zone"; else cat >/dev/null; fi
}

# Healthy zones.
sign "$work/base.zone" "$work/nsec.signed" -i $INCEPTION -e $EXPIRATION
emit healthy-nsec "A healthy zone signed with ECDSAP256SHA256 and NSEC, with a delegation and glue." \
    <"$work/nsec.signed"
sign "$work/base.zone" "$work/nsec3.signed" -i $INCEPTION -e $EXPIRATION -n -t 0
emit healthy-nsec3 "A healthy zone signed with NSEC3 as RFC 9276 advises: no salt, no extra iterations." \
    <"$work/nsec3.signed"
grep -v '^\$' "$work/base.zone" | emit unsigned "A zone without DNSSEC."
if want trust-anchor-ksk; then (cd "$work" && ldns-key2ds -n -2 "$KSK.key") >trust-anchor-ksk.ds; fi
OTHER=$(key other-ksk -k -a ECDSAP256SHA256)
if want trust-anchor-other-key; then (cd "$work" && ldns-key2ds -n -2 "$OTHER.key") >trust-anchor-other-key.ds; fi

# Signature faults.
sed 's/^\(www\.example\.com\.\t[0-9]*\tIN\tA\t\)192\.0\.2\.2/\1192.0.2.66/' "$work/nsec.signed" |
    emit bogus-signature "www.example.com A was changed after signing: its RRSIG no longer verifies."
awk -F'\t' '!($1 == "mail.example.com." && $4 == "RRSIG" && $5 ~ /^A /)' "$work/nsec.signed" |
    emit missing-signature "The RRSIG of mail.example.com A was removed."
sign "$work/base.zone" "$work/expired.signed" -i 20200101000000 -e 20200201000000
emit signature-expired "Signed for January 2020 only: every signature has expired." <"$work/expired.signed"
sign "$work/base.zone" "$work/future.signed" -i 20350101000000 -e 20360101000000
emit signature-not-yet-valid "Signed with an inception in 2035: no signature is valid yet." <"$work/future.signed"
sign "$work/base.zone" "$work/expiring.signed" -i $INCEPTION -e 20261125000000
emit signature-expiring "Signatures expire on 2026-11-25, four days after the tests' pinned now." \
    <"$work/expiring.signed"
# Two signatures on www A, one expired: the data still validates.
awk -F'\t' '$1 == "www.example.com." && $4 == "RRSIG" && $5 ~ /^A /' "$work/expired.signed" >"$work/old-sig"
cat "$work/nsec.signed" "$work/old-sig" | emit expired-beside-valid-signature \
    "www.example.com A carries a valid RRSIG and an expired one from an earlier signing."

# www.example.com A served with a TTL of a day while its RRSIG signs an hour.
sed 's/^\(www\.example\.com\.\t\)3600\(\tIN\tA\t\)/\186400\2/' "$work/nsec.signed" |
    emit ttl-above-original-ttl "www.example.com A has TTL 86400 after signing; its RRSIG's Original TTL is 3600."

# NSEC chain faults: edited NSEC records, signed again by ldns-signzone (which keeps them).
nsec_fault() { # nsec_fault NAME DESCRIPTION SED-EXPRESSION
    unsigned_copy "$work/nsec.signed" | sed "$3" >"$work/$1.unsigned"
    sign "$work/$1.unsigned" "$work/$1.signed" -i $INCEPTION -e $EXPIRATION
    emit "$1" "$2" <"$work/$1.signed"
}
nsec_fault nsec-broken-chain "The NSEC of mail.example.com points to zz.example.com instead of ns1." \
    's/^\(mail\.example\.com\.\t[0-9]*\tIN\tNSEC\t\)ns1\.example\.com\./\1zz.example.com./'
nsec_fault nsec-wrong-bitmap "The NSEC of www.example.com leaves AAAA out of its type bitmap." \
    's/^\(www\.example\.com\.\t[0-9]*\tIN\tNSEC\t[^ ]*\) A AAAA /\1 A /'
nsec_fault nsec-missing-name "mail.example.com has no NSEC; the chain goes from a.b.c straight to ns1." \
    '/^mail\.example\.com\.\t[0-9]*\tIN\tNSEC\t/d; s/^\(a\.b\.c\.example\.com\.\t[0-9]*\tIN\tNSEC\t\)mail\./\1ns1./'

# NSEC3 chain faults, re-signed by resign.py (ldns-signzone rebuilds NSEC3 chains it is given).
hash_of() { ldns-nsec3-hash -t 0 "$1" | tr -d '.'; }
ENT_HASH=$(hash_of c.example.com)
ENT_NEXT=$(awk -F'\t' -v h="$ENT_HASH.example.com." '$1 == h && $4 == "NSEC3" { split($5, f, " "); print f[5] }' \
    "$work/nsec3.signed")
ENT_PREV=$(awk -F'\t' -v h="$ENT_HASH" '$4 == "NSEC3" { split($5, f, " "); if (f[5] == h) print $1 }' \
    "$work/nsec3.signed")
awk -F'\t' -v h="$ENT_HASH.example.com." '$1 != h' "$work/nsec3.signed" |
    sed "s/ $ENT_HASH\( \|\$\)/ $ENT_NEXT\1/" |
    ./resign.py "$ZSK" $INCEPTION $EXPIRATION "$ENT_PREV" |
    emit nsec3-missing-empty-non-terminal \
        "The NSEC3 of the empty non-terminal c.example.com was removed and the chain closed over it."
{
    cat "$work/nsec3.signed"
    printf '0123456789abcdefghijklmnopqrstuv.example.com.\t3600\tIN\tNSEC3\t1 0 5 ab  %s A RRSIG\n' "$ENT_HASH"
} | ./resign.py "$ZSK" $INCEPTION $EXPIRATION 0123456789abcdefghijklmnopqrstuv.example.com |
    emit nsec3-mixed-parameters "A stray NSEC3 with other parameters (5 iterations, salt ab) beside the chain."

# Hardening: weak algorithms and NSEC3 parameters.
sed 's/^sub       IN DS   12345 13 2 .*/&\nsub       IN DS   12345 13 1 2BB183AF5F22588179A53B0A98631FAD1A292118/' \
    "$work/base.zone" >"$work/weak.zone"
WEAK_ZSK=$(key weak-zsk -a RSASHA1 -b 1024)
WEAK_KSK=$(key weak-ksk -k -a RSASHA1 -b 1024)
ldns-signzone -o "$ORIGIN" -f "$work/weak.signed" -i $INCEPTION -e $EXPIRATION "$work/weak.zone" "$WEAK_ZSK" "$WEAK_KSK"
emit weak-algorithm-rsasha1-1024 "Signed with RSASHA1 keys of 1024 bits, and a SHA-1 DS for sub.example.com." \
    <"$work/weak.signed"
sign "$work/base.zone" "$work/params.signed" -i $INCEPTION -e $EXPIRATION -n -t 10 -s aabbccdd -p
emit nsec3-parameters-not-recommended \
    "NSEC3 with 10 extra iterations, salt aabbccdd and opt-out, though every delegation is signed (RFC 9276)." \
    <"$work/params.signed"

# Trust anchors: trust-anchor-ksk.ds matches the KSK of every sample above; in this zone the KSK
# does not sign the DNSKEY RRset (only the ZSK does).
sign "$work/base.zone" "$work/all-keys.signed" -i $INCEPTION -e $EXPIRATION -A
KSK_TAG=$(basename "$KSK" | sed 's/.*+0*//')
awk -F'\t' -v tag="$KSK_TAG" '!($4 == "RRSIG" && $5 ~ /^DNSKEY / && split($5, f, " ") && f[7] == tag)' \
    "$work/all-keys.signed" | emit dnskey-not-signed-by-anchor-key \
    "The KSK that trust-anchor-ksk.ds names is in the DNSKEY RRset but does not sign it; the ZSK does."

# ZONEMD (RFC 8976): one that verifies, and one left stale by a change signed afterwards.
sign "$work/base.zone" "$work/zonemd.signed" -i $INCEPTION -e $EXPIRATION -z 1:1
emit zonemd-valid "Signed with a SHA-384 ZONEMD digest of the zone." <"$work/zonemd.signed"
unsigned_copy "$work/zonemd.signed" | sed 's/"deep name below two empty non-terminals"/"changed after the digest"/' \
    >"$work/stale.unsigned"
sign "$work/stale.unsigned" "$work/stale.signed" -i $INCEPTION -e $EXPIRATION
emit zonemd-mismatch "The TXT of a.b.c.example.com changed after the ZONEMD digest was computed." \
    <"$work/stale.signed"
bash ./make-cds-samples.sh "$@"
