#!/usr/bin/env bash
# Starts the DNS servers the probe tests run against, on 127.0.0.1 and free ports, from the
# configs in this folder, in DIR (created; everything they write stays there):
#   weak BIND      example.test + bogus.test; recursion, AXFR to any, no cookies, no RRL, version shown
#   hardened BIND  example.test; no recursion, no AXFR, cookies, RRL 5/s slip 2, version hidden
#   hardened NSD   example.test + outside.test; no AXFR, cookies, RRL 10/s slip 2, version hidden
#   weak NSD       example.test + large.test (3,000 records, generated); AXFR to any, no RRL, no
#                  cookies, version and identity shown
#   default NSD    example.test; Debian's default RRL (200/s), to show which bursts can see it
#   validating Unbound and plain (non-validating) Unbound, both reaching the zones on the weak BIND
#   BIND resolver  validating, cookies, version hidden: a resolver with nothing to report
#   rate-limited Unbound  the plain Unbound with ip-ratelimit 20 a second (drops the rest silently)
#   hardened Knot  example.test; rrl module 10/s slip 2, cookies module (BADCOOKIE to a client-only
#                  cookie), no AXFR, version hidden
# example.test and bogus.test are signed here with ldns-keygen/ldns-signzone; bogus.test is then
# broken on purpose. Writes DIR/servers.env (ports) and DIR/pids; stop with stop-servers.sh DIR.
# The servers stop with the process that ran this script (a watchdog polls it once a second and
# then runs stop-servers.sh), so a test process that dies without its exit handler leaves none
# behind; and each is wrapped in `timeout`, so none outlives EXPOSURE_SERVER_LIFETIME seconds
# (3,600) in any case. (A fixed 900 s bound alone was shorter than a full test run under
# AddressSanitizer, 1,070 s in CI: the servers were gone before the last probe tests ran.)
# Usage: start-servers.sh DIR
set -euo pipefail
# Close every descriptor inherited beyond the standard three (bash keeps the script itself on 255):
# a server started below would hold them open for its whole life, and a parent waiting on one
# (Foundation's Process does) would wait for the servers to die.
for fd in /proc/$$/fd/*; do
    fd=${fd##*/}
    if [ "$fd" -gt 2 ] && [ "$fd" -lt 255 ]; then eval "exec $fd>&-" 2>/dev/null || true; fi
done
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mkdir -p "$1" && cd "$1" && pwd)
lifetime=${EXPOSURE_SERVER_LIFETIME:-3600}
owner=$PPID
cd "$dir"
: > pids

# Ten ports free for both UDP and TCP right now.
read -r weak hardbind hardnsd validating plain resolver weaknsd defaultnsd ratelimited hardknot < <(python3 - <<'PY'
import socket
ports, held = [], []
while len(ports) < 10:
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM); t.bind(("127.0.0.1", 0))
    port = t.getsockname()[1]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.bind(("127.0.0.1", port))
    except OSError:
        t.close(); continue
    held += [t, u]; ports.append(port)
print(*ports)
PY
)

cp "$here"/example.test.zone "$here"/bogus.test.zone "$here"/outside.test.zone .
: > anchors.keys
echo "trust-anchors {" > named-resolver-anchors.conf
for zone in example.test bogus.test; do
    key=$(ldns-keygen -a ECDSAP256SHA256 -k "$zone")
    ldns-signzone "$zone.zone" "$key"
    cat "$key.key" >> anchors.keys
    # "example.test. IN DNSKEY 257 3 13 KEY ;{id=...}" becomes "example.test. static-key 257 3 13 "KEY";"
    awk '$3 == "DNSKEY" { sub(/;.*/, ""); key = ""; for (i = 7; i <= NF; i++) key = key $i; print "    " $1 " static-key " $4 " " $5 " " $6 " \"" key "\";" }' \
        "$key.key" >> named-resolver-anchors.conf
done
echo "};" >> named-resolver-anchors.conf
# A zone large enough that its transfer spans several TCP messages.
{
    printf '$ORIGIN large.test.\n$TTL 3600\n'
    printf '@ IN SOA ns1.large.test. hostmaster.large.test. 1 7200 3600 1209600 300\n@ IN NS ns1.large.test.\n'
    awk 'BEGIN { for (i = 1; i <= 3000; i++) printf "host%d IN A 10.%d.%d.%d\n", i, int(i / 65536) % 256, int(i / 256) % 256, i % 256 }'
} > large.test.zone
# Break bogus.test: www's address changes after signing, so its RRSIG no longer verifies.
sed -i 's/192\.0\.2\.10$/192.0.2.66/' bogus.test.zone.signed
grep -q '192\.0\.2\.66$' bogus.test.zone.signed

render() { # template port
    sed -e "s|@DIR@|$dir|g" -e "s|@PORT@|$2|g" -e "s|@OUTSIDE_PORT@|$hardnsd|g" -e "s|@AUTH_PORT@|$weak|g" \
        "$here/$1.conf" > "$1.conf"
}
start() { # name port command...
    local name=$1 port=$2; shift 2
    timeout -s KILL "$lifetime" "$@" > "$name.out" 2>&1 &
    echo "$!" >> pids
}
render named-weak "$weak";            start named-weak "$weak" named -g -4 -c "$dir/named-weak.conf"
render named-hardened "$hardbind";    start named-hardened "$hardbind" named -g -4 -c "$dir/named-hardened.conf"
render nsd-hardened "$hardnsd";       start nsd-hardened "$hardnsd" nsd -d -c "$dir/nsd-hardened.conf"
render unbound-validating "$validating"; start unbound-validating "$validating" unbound -d -c "$dir/unbound-validating.conf"
render unbound-plain "$plain";        start unbound-plain "$plain" unbound -d -c "$dir/unbound-plain.conf"
render nsd-weak "$weaknsd";           start nsd-weak "$weaknsd" nsd -d -c "$dir/nsd-weak.conf"
render nsd-default "$defaultnsd";     start nsd-default "$defaultnsd" nsd -d -c "$dir/nsd-default.conf"
render named-resolver "$resolver";    start named-resolver "$resolver" named -g -4 -c "$dir/named-resolver.conf"
render unbound-ratelimited "$ratelimited"; start unbound-ratelimited "$ratelimited" unbound -d -c "$dir/unbound-ratelimited.conf"
mkdir -p knot-hardened
render knot-hardened "$hardknot";     start knot-hardened "$hardknot" knotd -c "$dir/knot-hardened.conf"

# Ready when each answers a query (at most about 15 s).
for port in "$weak" "$hardbind" "$hardnsd" "$validating" "$plain" "$resolver" "$weaknsd" "$defaultnsd" "$ratelimited" "$hardknot"; do
    ok=no
    for _ in $(seq 1 30); do
        if dig +tries=1 +time=1 +short @127.0.0.1 -p "$port" example.test SOA > /dev/null 2>&1; then ok=yes; break; fi
        sleep 0.5
    done
    if [ "$ok" != yes ]; then
        echo "server on port $port did not start; logs:" >&2
        tail -n 20 ./*.out ./*.log >&2 2>/dev/null || true
        "$here/stop-servers.sh" "$dir"
        exit 1
    fi
done
cat > servers.env <<ENV
WEAK_BIND=$weak
HARDENED_BIND=$hardbind
HARDENED_NSD=$hardnsd
VALIDATING_UNBOUND=$validating
PLAIN_UNBOUND=$plain
BIND_RESOLVER=$resolver
WEAK_NSD=$weaknsd
DEFAULT_NSD=$defaultnsd
RATELIMITED_UNBOUND=$ratelimited
HARDENED_KNOT=$hardknot
ENV
# The watchdog: it ends when the owner is gone, when the servers were stopped (pids emptied or
# removed), or after the lifetime; it holds none of our descriptors.
(
    for ((i = 0; i < lifetime; i++)); do
        kill -0 "$owner" 2>/dev/null && [ -s "$dir/pids" ] || break
        sleep 1
    done
    "$here/stop-servers.sh" "$dir"
) < /dev/null > /dev/null 2>&1 &
cat servers.env
