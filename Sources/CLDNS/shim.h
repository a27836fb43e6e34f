#ifndef EXPOSURE_CLDNS_SHIM_H
#define EXPOSURE_CLDNS_SHIM_H
/* stdbool first, or ldns' `bool` imports into Swift as Int8. */
#include <stdbool.h>
#include <ldns/ldns.h>
/* libldns is built on OpenSSL's libcrypto (libldns-dev depends on libssl-dev). The zone verifier
 * (DNS/LDNS/ZoneSignatureVerifier.swift) uses its EVP interface directly for ECDSA, with contexts set
 * up once per thread rather than once per signature. */
#include <openssl/evp.h>
#include <openssl/err.h>

/* Macros and mutable globals that Swift 6 cannot use directly. */
static inline ldns_rbnode_t *exposure_ldns_rbtree_null(void) { return LDNS_RBTREE_NULL; }
static inline const ldns_output_format *exposure_ldns_output_format_default(void) {
    return ldns_output_format_default;
}

#endif
