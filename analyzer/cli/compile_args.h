/* compile_args.h - turning a compile command from a compile_commands.json
 * into the arguments tasklint hands to libclang.
 *
 * A compile database comes with the checkout, so it is untrusted input:
 * libclang carries out front-end options that write files, load plugins or
 * run programs.  Only arguments that shape parsing are kept (an allow-list:
 * include paths, macros, language and standard, target, a short list of -f
 * and -m options), each in one canonical spelling, so that no kept argument
 * can be read by clang as something else.  Response files (@FILE) are read
 * here, not by clang, and their contents pass the same allow-list.
 *
 * compile_db.c calls tl_compile_args_from_command() for every entry.  The
 * word splitting lives in command_words.c, the allow-list and response files
 * in compile_args.c.
 */
#ifndef TL_COMPILE_ARGS_H
#define TL_COMPILE_ARGS_H

#include <stdbool.h>
#include <stddef.h>

/* A growable vector of malloc'd strings. */
typedef struct {
    char **v;
    int n, cap;
} tl_strvec;

void tl_strvec_push(tl_strvec *s, const char *arg);
void tl_strvec_pushn(tl_strvec *s, const char *arg, size_t len);
void tl_strvec_free(tl_strvec *s);

/* How a command line is split into words. */
typedef enum {
    /* a "command" of compile_commands.json, as clang's JSONCompilationDatabase
       splits it: words separated by blanks; '...' is literal; "..." and bare
       text take a backslash as an escape of the next character; "" is an
       empty word */
    TL_SPLIT_COMMAND,
    /* a response file, as clang reads one (GNU style): like the above, but a
       backslash escapes in '...' too, and an empty quoted word is dropped */
    TL_SPLIT_RESPONSE
} tl_split_mode;

/* Appends the words of text[0..len) to out.  Returns 0, or -1 with *error
 * (malloc'd) for an unterminated quote or a backslash at the end. */
int tl_split_command_line(const char *text, size_t len, tl_split_mode mode, tl_strvec *out,
                          char **error);

/* Limits on response files: each must be a regular file of at most
 * TL_RESPONSE_FILE_MAX bytes; they nest at most TL_RESPONSE_DEPTH_MAX deep
 * and one entry reads at most TL_RESPONSE_TOTAL_MAX bytes of them. */
#define TL_RESPONSE_FILE_MAX ((size_t)1 << 20)
#define TL_RESPONSE_TOTAL_MAX ((size_t)8 << 20)
#define TL_RESPONSE_DEPTH_MAX 8

/* Applies the allow-list to args[0..n) (no compiler, no response files):
 * kept arguments are appended to *kept in canonical form (an option that
 * takes a value becomes two words: "-I" "dir"; joined-only options keep
 * their "-std=c11" form).  Arguments that are ordinary in a compile command
 * and mean nothing for parsing (-c, -o X, -M*, -W*, -pedantic, the source
 * file) are dropped silently; every other dropped argument is appended to
 * *dropped (may be NULL).  `directory` (may be NULL) resolves relative
 * paths; `abs_source` (may be NULL) is the entry's file, canonical.
 * Returns 0, or -1 with *error (malloc'd) when a kept argument names a file
 * that must not be read: -include/-imacros of something that is not a
 * regular file. */
int tl_compile_args_allow(const char *const *args, int n, const char *directory,
                          const char *abs_source, tl_strvec *kept, tl_strvec *dropped,
                          char **error);

/* A whole compile command, argv[0] being the compiler (or a ccache-style
 * wrapper followed by the compiler): skips the compiler, expands response
 * files (relative to `directory`; nested ones relative to the file that
 * names them), applies the allow-list, and appends "-w" (clang warnings are
 * not wanted).  Returns 0, or -1 with *error (malloc'd). */
int tl_compile_args_from_command(const char *const *argv, int argc, const char *directory,
                                 const char *abs_source, tl_strvec *kept, tl_strvec *dropped,
                                 char **error);

/* Whether clang would read the entry's file as assembly (nothing for
 * tasklint to analyse): the last "-x" of the kept arguments says so
 * ("assembler", "assembler-with-cpp"), or, without one, the file's suffix
 * (.s, .S, .sx). */
bool tl_compile_args_is_assembly(const tl_strvec *kept, const char *file);

#endif
