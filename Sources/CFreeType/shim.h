#include <ft2build.h>
#include FT_FREETYPE_H

// FreeType's flags are macros with casts that Swift does not import; these carry them.
static inline FT_Int32 ocop_ft_load_render(void) { return FT_LOAD_RENDER; }
static inline int ocop_ft_has_kerning(FT_Face face) { return FT_HAS_KERNING(face) ? 1 : 0; }
