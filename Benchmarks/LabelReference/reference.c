#include "label_reference.h"

#include <png.h>
#include <qrencode.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int write_one(const QRcode *code, int dots, int dpi, const char *path) {
  int side = (code->width + 8) * dots;
  size_t stride = (size_t)(side + 7) / 8;
  FILE *file = fopen(path, "wb");
  if (!file) return -1;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  png_infop info = png ? png_create_info_struct(png) : NULL;
  png_bytep row = malloc(stride);
  if (!png || !info || !row || setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    fclose(file);
    free(row);
    return -1;
  }
  png_init_io(png, file);
  png_set_IHDR(png, info, side, side, 1, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_uint_32 ppm = (png_uint_32)(dpi / 0.0254 + 0.5);
  png_set_pHYs(png, info, ppm, ppm, PNG_RESOLUTION_METER);
  png_write_info(png, info);
  for (int y = 0; y < side; y++) {
    memset(row, 0xFF, stride);
    int module_row = y / dots - 4;
    if (module_row >= 0 && module_row < code->width) {
      for (int x = 0; x < side; x++) {
        int module_column = x / dots - 4;
        if (module_column >= 0 && module_column < code->width &&
            (code->data[module_row * code->width + module_column] & 1)) {
          row[x >> 3] &= (png_byte)~(0x80 >> (x & 7));
        }
      }
    }
    png_write_row(png, row);
  }
  png_write_end(png, info);
  png_destroy_write_struct(&png, &info);
  free(row);
  return fclose(file);
}

long ocop_reference_write(const char *const *urls, long count, int dots, int dpi, const char *folder,
                          uint64_t *bytes) {
  char path[4096];
  long written = 0;
  for (long i = 0; i < count; i++) {
    QRcode *code = QRcode_encodeString(urls[i], 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!code) continue;
    snprintf(path, sizeof path, "%s/ref-%06ld.png", folder, i);
    if (write_one(code, dots, dpi, path) == 0) {
      struct stat status;
      if (stat(path, &status) == 0) *bytes += (uint64_t)status.st_size;
      written++;
    }
    QRcode_free(code);
  }
  return written;
}
