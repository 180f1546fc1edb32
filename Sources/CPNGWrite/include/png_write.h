#ifndef OCOP_PNG_WRITE_H
#define OCOP_PNG_WRITE_H

#include <stddef.h>
#include <stdint.h>

/// Writes a grayscale PNG to memory with libpng's classic interface, catching libpng's
/// longjmp-based errors here in C so that none crosses a Swift frame.
///
/// `rows` holds `height` rows of `stride` bytes, already packed for `bit_depth` (1 or 8).
/// `pixels_per_metre` goes into a pHYs chunk when it is not 0. On success returns 0 and
/// sets `*out` (free it with `ocop_png_free`) and `*out_length`; on failure returns -1
/// and writes libpng's message into `error` (at most `error_length` bytes, terminated).
int ocop_png_write_gray(const uint8_t *rows, uint32_t width, uint32_t height, size_t stride,
                        int bit_depth, uint32_t pixels_per_metre, int run_length,
                        uint8_t **out, size_t *out_length, char *error, size_t error_length);

/// Reads a PNG file held in memory as 8-bit gray, whatever its colour type and depth,
/// catching libpng's errors here. On success returns 0 and sets `*out` (`width * height`
/// bytes; free it with `ocop_png_free`), `*out_width` and `*out_height`; on failure returns
/// -1 and writes the reason into `error`.
int ocop_png_read_gray(const uint8_t *data, size_t length, uint8_t **out, uint32_t *out_width,
                       uint32_t *out_height, char *error, size_t error_length);

/// Frees a buffer returned by `ocop_png_write_gray` or `ocop_png_read_gray`.
void ocop_png_free(uint8_t *buffer);

#endif
