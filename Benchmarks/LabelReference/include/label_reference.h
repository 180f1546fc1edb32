#ifndef OCOP_LABEL_REFERENCE_H
#define OCOP_LABEL_REFERENCE_H

#include <stddef.h>
#include <stdint.h>

/// The reference the label benchmark measures ocop-trace against: a plain C loop that, for
/// each URL, calls libqrencode (case-sensitive, ECC M) and writes the symbol with its
/// 4-module quiet zone as a 1-bit grayscale PNG file with libpng's classic writer and its
/// default settings, `dots` printer dots per module, a pHYs chunk at `dpi`.
/// Returns the number of files written, and adds their sizes to `*bytes`.
long ocop_reference_write(const char *const *urls, long count, int dots, int dpi, const char *folder,
                          uint64_t *bytes);

#endif
