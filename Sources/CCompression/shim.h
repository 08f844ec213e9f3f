#ifndef TRIPLINE_CCOMPRESSION_SHIM_H
#define TRIPLINE_CCOMPRESSION_SHIM_H
// Debian's zlib1g-dev, liblzma-dev and libzstd-dev: rotated logs are gzip (logrotate's
// default), xz or zstd compressed.
#include <zlib.h>
#include <lzma.h>
#include <zstd.h>

// Macros Swift does not import.
static const uint32_t tl_lzma_concatenated = LZMA_CONCATENATED;
static inline int tl_inflate_init_gzip(z_stream *s) { return inflateInit2(s, 15 + 16); }
#endif
