/* fd_slots.h - which global descriptor slots only ever hold non-blocking
 * descriptors, program-wide (see fd_slots.c).  Internal to the program
 * module: other code asks tl_program_fd_slot_nonblocking (program.h). */
#ifndef TL_FD_SLOTS_H
#define TL_FD_SLOTS_H

#include <stdbool.h>

#include "../summary/summary.h"

typedef struct tl_fd_slots tl_fd_slots;

/* Join the units' descriptor stores.  Keys point into the summaries: they
 * must outlive the result. */
tl_fd_slots *tl_fd_slots_link(tl_tu_summary *const *units, int nunits);
/* Does every store of the program into slot `key` ("g:USR") store a
 * non-blocking descriptor?  Without `whole`, only a static's can be told. */
bool tl_fd_slots_nonblocking(const tl_fd_slots *s, const char *key, bool whole);
/* Whether any store of the program names slot `key`. */
bool tl_fd_slots_has(const tl_fd_slots *s, const char *key);
void tl_fd_slots_free(tl_fd_slots *s);

#endif
