/* unawaited-task, libdill: suppressions.  Cancelling a speculative request
 * on purpose is suppressed with a reason; a suppression for a rule that has
 * no finding on its line is reported.
 */
#include <libdill.h>

coroutine void speculative_lookup(const char *name, int results)
{
    struct ipaddr addr;
    if (ipaddr_remote(&addr, name, 443, 0, now() + 2000) == 0)
        chsend(results, &addr, sizeof addr, now() + 100);
}

int warm_cache(const char *name, int results)
{
    int h = go(speculative_lookup(name, results));
    if (h < 0)
        return -1;
    hclose(h);  // tasklint-ignore(unawaited-task): cancelled on purpose, the lookup is only a cache warm-up
    return 0;
}

int lookup(const char *name, int results, struct ipaddr *out)
{
    int h = go(speculative_lookup(name, results));
    if (h < 0)
        return -1;
    int rc = chrecv(results, out, sizeof *out, now() + 3000);
    hclose(h);  // tasklint-ignore(unawaited-task): waited above  EXPECT: suppression
    return rc;
}
