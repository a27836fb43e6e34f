#ifndef EXPOSURE_CPCAP_SHIM_H
#define EXPOSURE_CPCAP_SHIM_H
#include <stdio.h>
#include <pcap/pcap.h>

/* Asks the CPU to bring the cache line at `address` in ahead of use (no fault, no wait): when a capture
   is mapped, the walkers hand packets out where they lie in page cache, and the first touch of each
   record was a tenth of the time on large captures (classic pcap is now read into a buffer that stays
   in cache instead). Swift has no prefetch of its own. */
static inline void exposure_prefetch(const void *address) { __builtin_prefetch(address, 0, 3); }

/* glibc's memmem (a GNU extension, so not in Swift's Glibc module): where the detectors search an
   opening of up to 8 KiB for a signature, a byte-by-byte bounds-checked loop was several times slower. */
extern void *memmem(const void *haystack, size_t haystack_length, const void *needle, size_t needle_length);
static inline const void *exposure_memmem(const void *haystack, size_t haystack_length, const void *needle,
                                          size_t needle_length) {
    return memmem(haystack, haystack_length, needle, needle_length);
}
#endif
