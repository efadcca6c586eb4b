#ifndef THREADKEEPER_CZLIB_SHIM_H
#define THREADKEEPER_CZLIB_SHIM_H
#include <zlib.h>

// deflateInit2 and inflateInit2 are macros (they pass ZLIB_VERSION and sizeof(z_stream)),
// which Swift does not import; these are the same calls as functions.
// "windowBits can also be greater than 15 for optional gzip encoding. Add 16 to windowBits to
// write a simple gzip header and trailer around the compressed data instead of a zlib wrapper."
static inline int threadkeeper_deflate_init_gzip(z_streamp stream, int level) {
    return deflateInit2(stream, level, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY);
}

// "windowBits can also be greater than 15 for optional gzip decoding. Add 32 to windowBits to
// enable zlib and gzip decoding ... or add 16 to decode only the gzip format."
static inline int threadkeeper_inflate_init_gzip(z_streamp stream) {
    return inflateInit2(stream, 15 + 16);
}
#endif
