#include "png_write.h"

#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

struct buffer {
  uint8_t *data;
  size_t length;
  size_t capacity;
  int failed;
};

struct context {
  jmp_buf jump;
  char *error;
  size_t error_length;
};

static void append(png_structp png, png_bytep data, png_size_t length) {
  struct buffer *buffer = png_get_io_ptr(png);
  if (buffer->failed) return;
  if (buffer->length + length > buffer->capacity) {
    size_t capacity = buffer->capacity ? buffer->capacity : 4096;
    while (capacity < buffer->length + length) capacity *= 2;
    uint8_t *grown = realloc(buffer->data, capacity);
    if (!grown) {
      buffer->failed = 1;
      png_error(png, "out of memory");
      return;
    }
    buffer->data = grown;
    buffer->capacity = capacity;
  }
  memcpy(buffer->data + buffer->length, data, length);
  buffer->length += length;
}

static void flush(png_structp png) { (void)png; }

static void on_error(png_structp png, png_const_charp message) {
  struct context *context = png_get_error_ptr(png);
  if (context->error && context->error_length) {
    strncpy(context->error, message ? message : "libpng error", context->error_length - 1);
    context->error[context->error_length - 1] = 0;
  }
  longjmp(context->jump, 1);
}

static void on_warning(png_structp png, png_const_charp message) {
  (void)png;
  (void)message;
}

int ocop_png_write_gray(const uint8_t *rows, uint32_t width, uint32_t height, size_t stride,
                        int bit_depth, uint32_t pixels_per_metre, int run_length,
                        uint8_t **out, size_t *out_length, char *error, size_t error_length) {
  struct context context = {.error = error, .error_length = error_length};
  // Everything that changes between setjmp and a longjmp lives on the heap, behind
  // pointers that are set before setjmp and never reassigned.
  struct buffer *buffer = calloc(1, sizeof *buffer);
  png_structp png = buffer ? png_create_write_struct(PNG_LIBPNG_VER_STRING, &context, on_error, on_warning) : NULL;
  if (!png) {
    if (error && error_length) strncpy(error, "libpng could not start", error_length - 1);
    free(buffer);
    return -1;
  }
  png_infop info = png_create_info_struct(png);
  if (!info || setjmp(context.jump)) {
    png_destroy_write_struct(&png, info ? &info : NULL);
    free(buffer->data);
    free(buffer);
    return -1;
  }
  png_set_write_fn(png, buffer, append, flush);
  if (run_length) {
    // Each row as its difference from the row above, deflated as runs only: labels are
    // mostly runs of white and rows that repeat, and this is several times faster than
    // searching for matches, for files about a tenth larger.
    png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_UP);
    png_set_compression_strategy(png, Z_RLE);
  }
  png_set_compression_level(png, 6);
  png_set_IHDR(png, info, width, height, bit_depth, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (pixels_per_metre) {
    png_set_pHYs(png, info, pixels_per_metre, pixels_per_metre, PNG_RESOLUTION_METER);
  }
  png_write_info(png, info);
  for (uint32_t row = 0; row < height; row++) {
    png_write_row(png, (png_const_bytep)(rows + (size_t)row * stride));
  }
  png_write_end(png, info);
  png_destroy_write_struct(&png, &info);
  *out = buffer->data;
  *out_length = buffer->length;
  free(buffer);
  return 0;
}

void ocop_png_free(uint8_t *buffer) { free(buffer); }

struct source {
  const uint8_t *data;
  size_t length;
  size_t offset;
};

static void take(png_structp png, png_bytep data, png_size_t length) {
  struct source *source = png_get_io_ptr(png);
  if (source->length - source->offset < length) png_error(png, "the file ends too early");
  memcpy(data, source->data + source->offset, length);
  source->offset += length;
}

int ocop_png_read_gray(const uint8_t *data, size_t length, uint8_t **out, uint32_t *out_width,
                       uint32_t *out_height, char *error, size_t error_length) {
  struct context context = {.error = error, .error_length = error_length};
  if (length < 8 || png_sig_cmp(data, 0, 8) != 0) {
    if (error && error_length) strncpy(error, "is not a PNG file", error_length - 1);
    return -1;
  }
  struct source *source = calloc(1, sizeof *source);
  uint8_t **pixels = calloc(1, sizeof *pixels);
  png_structp png =
      source && pixels ? png_create_read_struct(PNG_LIBPNG_VER_STRING, &context, on_error, on_warning) : NULL;
  if (!png) {
    if (error && error_length) strncpy(error, "libpng could not start", error_length - 1);
    free(source);
    free(pixels);
    return -1;
  }
  png_infop info = png_create_info_struct(png);
  if (!info || setjmp(context.jump)) {
    png_destroy_read_struct(&png, info ? &info : NULL, NULL);
    free(*pixels);
    free(pixels);
    free(source);
    return -1;
  }
  source->data = data;
  source->length = length;
  png_set_read_fn(png, source, take);
  png_set_user_limits(png, 20000, 20000);
  png_read_info(png, info);
  // Whatever the file holds, 8-bit gray comes out: palettes and low bit depths expanded,
  // 16 bits cut to 8, colour turned to gray, alpha dropped.
  png_set_expand(png);
  png_set_strip_16(png);
  png_set_strip_alpha(png);
  int colour = png_get_color_type(png, info);
  if (colour & PNG_COLOR_MASK_COLOR) png_set_rgb_to_gray_fixed(png, 1, -1, -1);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  uint32_t width = png_get_image_width(png, info);
  uint32_t height = png_get_image_height(png, info);
  size_t row_bytes = png_get_rowbytes(png, info);
  if (row_bytes != width) png_error(png, "cannot be read as 8-bit gray");
  *pixels = malloc((size_t)width * height);
  if (!*pixels) png_error(png, "out of memory");
  for (int pass = png_set_interlace_handling(png); pass > 0; pass--) {
    for (uint32_t row = 0; row < height; row++) png_read_row(png, *pixels + (size_t)row * width, NULL);
  }
  png_read_end(png, NULL);
  png_destroy_read_struct(&png, &info, NULL);
  *out = *pixels;
  *out_width = width;
  *out_height = height;
  free(pixels);
  free(source);
  return 0;
}
