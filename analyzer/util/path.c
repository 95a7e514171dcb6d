/* path.c - file names as the driver and the shared prefixes spell them
 * (path.h). */
#include "path.h"

#include <string.h>

#include "xalloc.h"

char *tl_path_join(const char *dir, const char *file) {
    if (!dir || !*dir || file[0] == '/') return tl_xstrdup(file);
    if (file[0] == '.' && file[1] == '/') file += 2;
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/') n--;
    return tl_xasprintf("%.*s/%s", (int)n, dir, file);
}
