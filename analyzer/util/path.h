/* path.h - file names as the driver and the shared prefixes spell them. */
#ifndef TL_PATH_H
#define TL_PATH_H

/* FILE under DIR (malloc'd): FILE itself when it is absolute or DIR is
 * NULL or empty; a leading "./" of FILE and trailing slashes of DIR are
 * dropped.  No other normalisation: the same inputs give the same name. */
char *tl_path_join(const char *dir, const char *file);

#endif
