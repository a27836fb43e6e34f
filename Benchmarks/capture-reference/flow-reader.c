/* Reference reader for the Exposure capture benchmark: libpcap with a 1 MiB stdio buffer, decodes
   Ethernet (VLAN), IPv4/IPv6, TCP/UDP, keeps an open-addressing flow table keyed by the canonical
   5-tuple with packet and byte counts, and classifies the first payload of each flow by a few
   signatures. Prints packets, flows, classified flows, CPU seconds and peak memory. */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

typedef struct {
    uint64_t a[2], b[2];
    uint16_t ap, bp;
    uint8_t proto, used, classified, pad;
    uint64_t packets, bytes;
} flow_t;

static flow_t *table;
static size_t capacity = 1 << 16, count;
static uint64_t classes[8];

static uint64_t mix(const flow_t *k) {
    uint64_t h = k->a[1] * 0x9E3779B97F4A7C15ull ^ k->b[1] * 0xC2B2AE3D27D4EB4Full;
    h ^= (k->a[0] ^ k->b[0]) * 0x165667B19E3779F9ull;
    h ^= ((uint64_t)k->ap << 24) | ((uint64_t)k->bp << 8) | k->proto;
    h ^= h >> 29; h *= 0xBF58476D1CE4E5B9ull; h ^= h >> 32;
    return h;
}

static flow_t *lookup(const flow_t *key);

static void grow(void) {
    flow_t *old = table; size_t old_capacity = capacity;
    capacity *= 2; table = calloc(capacity, sizeof(flow_t)); count = 0;
    for (size_t i = 0; i < old_capacity; i++) if (old[i].used) { flow_t *f = lookup(&old[i]); *f = old[i]; }
    free(old);
}

static flow_t *lookup(const flow_t *key) {
    if (count * 2 >= capacity) grow();
    size_t i = mix(key) & (capacity - 1);
    for (;;) {
        flow_t *f = &table[i];
        if (!f->used) { *f = *key; f->used = 1; f->packets = 0; f->bytes = 0; f->classified = 0; count++; return f; }
        if (f->proto == key->proto && f->ap == key->ap && f->bp == key->bp && !memcmp(f->a, key->a, 16) && !memcmp(f->b, key->b, 16)) return f;
        i = (i + 1) & (capacity - 1);
    }
}

static int classify(const uint8_t *p, size_t n) {
    if (n >= 3 && p[0] == 0xFF && p[1] >= 250) return 1;                  /* telnet */
    if (n >= 4 && !memcmp(p, "220", 3)) return 2;                          /* ftp/smtp */
    if (n >= 4 && !memcmp(p, "SSH-", 4)) return 3;                         /* ssh */
    if (n >= 3 && p[0] == 0x16 && p[1] == 3) return 4;                     /* tls */
    if (n >= 8 && (p[4] == 0xFF || p[4] == 0xFE) && !memcmp(p + 5, "SMB", 3)) return 5; /* smb */
    if (n >= 4 && (!memcmp(p, "GET ", 4) || !memcmp(p, "POST", 4) || !memcmp(p, "HTTP", 4))) return 6;
    return 7;
}

static void ip_addr(uint64_t out[2], const uint8_t *p, int v6) {
    if (v6) { memcpy(&out[0], p, 8); memcpy(&out[1], p + 8, 8); }
    else { out[0] = 0; uint32_t v; memcpy(&v, p, 4); out[1] = 0xFFFF00000000ull | v; }
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: flow-reader FILE\n"); return 2; }
    char err[PCAP_ERRBUF_SIZE];
    FILE *fp = fopen(argv[1], "rb");
    if (!fp) { perror(argv[1]); return 2; }
    setvbuf(fp, NULL, _IOFBF, 1 << 20);
    pcap_t *p = pcap_fopen_offline(fp, err);
    if (!p) { fprintf(stderr, "%s\n", err); return 2; }
    table = calloc(capacity, sizeof(flow_t));
    struct pcap_pkthdr *h; const u_char *d; uint64_t packets = 0;
    while (pcap_next_ex(p, &h, &d) == 1) {
        packets++;
        size_t n = h->caplen, off = 12;
        if (n < 14) continue;
        uint16_t type = d[off] << 8 | d[off + 1]; off += 2;
        while ((type == 0x8100 || type == 0x88A8) && off + 4 <= n) { type = d[off + 2] << 8 | d[off + 3]; off += 4; }
        flow_t key; memset(&key, 0, sizeof key);
        const uint8_t *src, *dst; int v6; size_t l4; uint8_t proto; size_t end;
        if (type == 0x0800 && off + 20 <= n) {
            const uint8_t *ip = d + off; size_t ihl = (ip[0] & 15) * 4; proto = ip[9];
            if ((ip[6] & 0x1F) || ip[7]) continue;
            src = ip + 12; dst = ip + 16; v6 = 0; l4 = off + ihl; end = off + (ip[2] << 8 | ip[3]);
        } else if (type == 0x86DD && off + 40 <= n) {
            const uint8_t *ip = d + off; proto = ip[6]; src = ip + 8; dst = ip + 24; v6 = 1; l4 = off + 40;
            end = off + 40 + (ip[4] << 8 | ip[5]);
        } else continue;
        if (end > n) end = n;
        if (l4 + 8 > end || (proto != 6 && proto != 17)) continue;
        uint16_t sp = d[l4] << 8 | d[l4 + 1], dp = d[l4 + 2] << 8 | d[l4 + 3];
        size_t payload = proto == 6 ? l4 + (d[l4 + 12] >> 4) * 4 : l4 + 8;
        if (payload > end) continue;
        uint64_t sa[2], da[2]; ip_addr(sa, src, v6); ip_addr(da, dst, v6);
        int low = memcmp(sa, da, 16) < 0 || (!memcmp(sa, da, 16) && sp <= dp);
        if (low) { memcpy(key.a, sa, 16); memcpy(key.b, da, 16); key.ap = sp; key.bp = dp; }
        else { memcpy(key.a, da, 16); memcpy(key.b, sa, 16); key.ap = dp; key.bp = sp; }
        key.proto = proto;
        flow_t *f = lookup(&key);
        f->packets++; f->bytes += end - payload;
        if (!f->classified && end > payload) { f->classified = 1; classes[classify(d + payload, end - payload)]++; }
    }
    struct rusage u; getrusage(RUSAGE_SELF, &u);
    double cpu = u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec + u.ru_stime.tv_usec / 1e6;
    uint64_t classified = 0; for (int i = 1; i < 8; i++) classified += classes[i];
    printf("packets=%llu flows=%zu classified=%llu telnet=%llu cpu=%.3f maxrss_mib=%.1f\n", (unsigned long long)packets,
           count, (unsigned long long)classified, (unsigned long long)classes[1], cpu, u.ru_maxrss / 1024.0);
    pcap_close(p);
    return 0;
}
