/* orphaned-spawn, libdill: suppression comments.  A finding suppressed with
 * a reason has no expectation; a suppression naming an unknown rule does not
 * suppress anything and is itself reported, as is a suppression that
 * matches no finding.
 */
#include <libdill.h>

coroutine void janitor(int ch)
{
    char c;
    while (chrecv(ch, &c, 1, now() + 60000) == 0)
        ;
}

void start_janitor(int ch)
{
    go(janitor(ch));  // tasklint-ignore(orphaned-spawn): lives until process exit, owned by nobody
}

void start_janitor_next_line(int ch)
{
    // tasklint-ignore-next-line(orphaned-spawn): lives until process exit
    go(janitor(ch));
}

void start_two_janitors(int ch)
{
    // tasklint-ignore-begin(orphaned-spawn): both live until process exit
    go(janitor(ch));
    go(janitor(ch));
    // tasklint-ignore-end
}

void start_janitor_typo(int ch)
{
    // EXPECT@+1: suppression
    // tasklint-ignore-next-line(orphan-spawn): the rule id is misspelt
    go(janitor(ch));  // EXPECT: orphaned-spawn
}

int start_janitor_stale(int ch)
{
    // EXPECT@+1: suppression
    // tasklint-ignore-next-line(orphaned-spawn): stale - the handle is closed below now
    int h = go(janitor(ch));
    if (h < 0)
        return -1;
    msleep(now() + 1000);
    hclose(h);
    return 0;
}
