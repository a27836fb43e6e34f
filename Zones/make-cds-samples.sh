#!/usr/bin/env bash
# Makes the CDS/CDNSKEY samples (RFC 7344, RFC 8078) with ldns-keygen / ldns-key2ds / ldns-signzone,
# signed with keys of their own, kept in Zones/keys/ (so this script runs apart from make-samples.sh,
# which calls it). With sample names as arguments, only those are written.
# Signature windows as in make-samples.sh: 2026-01-01 to 2036-01-01; tests pin --now 2026-11-21.
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

ORIGIN=example.com
cat >"$work/base.zone" <<'ZONE'
$ORIGIN example.com.
$TTL 3600
@         IN SOA  ns1 hostmaster 2026112101 7200 3600 1209600 3600
@         IN NS   ns1
ns1       IN A    192.0.2.1
www       IN A    192.0.2.2
ZONE

# The committed keys of Zones/keys/ (see make-samples.sh), made once when missing.
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
ZSK=$(key cds-zsk -a ECDSAP256SHA256)
KSK=$(key cds-ksk -k -a ECDSAP256SHA256)
OTHER=$(key cds-other-ksk -k -a ECDSAP256SHA256)
wanted=" $* "
want() { [ "$wanted" = "  " ] || [[ "$wanted" == *" $1 "* ]]; }
# The CDS (SHA-256) and CDNSKEY of a key: its DS and DNSKEY with the type renamed.
cds_of() { (cd "$work" && ldns-key2ds -n -2 "$1.key") | sed 's/\tDS\t/\tCDS\t/'; }
cdnskey_of() { sed 's/\tDNSKEY\t/\tCDNSKEY\t/' "$1.key"; }
sample() { # sample NAME DESCRIPTION < records to add at the apex
    if ! want "$1"; then cat >/dev/null; return; fi
    { cat "$work/base.zone"; cat; } >"$work/$1.unsigned"
    ldns-signzone -o "$ORIGIN" -f "$work/$1.signed" -i 20260101000000 -e 20360101000000 \
        "$work/$1.unsigned" "$ZSK" "$KSK"
    { printf '; %s\n; Made by make-cds-samples.sh. Origin example.com.\n$ORIGIN example.com.\n' "$2"
        cat "$work/$1.signed"; } >"$1.zone"
}

{ cds_of "$KSK"; cdnskey_of "$KSK"; } |
    sample cds-matching-ksk "CDS and CDNSKEY both name the KSK, which is in the DNSKEY RRset: the parent may use them."
{ cds_of "$OTHER"; cdnskey_of "$KSK"; } |
    sample cds-naming-no-key "The CDS names a key that is not in the DNSKEY RRset; the CDNSKEY names the KSK."
printf '@ IN CDS 0 0 0 00\n@ IN CDNSKEY 0 3 0 AA==\n' |
    sample cds-delete "CDS and CDNSKEY ask the parent to delete the DS (RFC 8078 section 4): no key is named, rightly."
