/* numeric_hosts.h - host strings a numeric-address check accepted.
 *
 *     if (inet_pton(AF_INET, host, &a4) == 1 || inet_pton(AF_INET6, host, &a6) == 1)
 *         rc = ipaddr_remote(&addr, host, port, 0, -1);   // no DNS: cannot wait
 *
 * A call with a `numeric_check` facet (inet_pton) tells whether its string
 * argument is a numeric address.  On the edges where its result means
 * success (`== 1`, `> 0`, `!= 1` the other way, through a variable that
 * holds the result), the variable passed as that string is a numeric
 * address; a must-dataflow (on every path; an assignment to the variable
 * ends it) marks the calls past it whose `unless_numeric_address` argument
 * is that variable (tl_call_facts.numeric_args): they resolve no name.
 * Linear in the function: the walk back from a test to the call whose
 * result it reads visits at most 8 blocks (must_bits.h), the dataflow at most
 * NH_MAX_PLACES variables as one bit set.
 */
#ifndef TL_DATAFLOW_NUMERIC_HOSTS_H
#define TL_DATAFLOW_NUMERIC_HOSTS_H

#include "analysis.h"

/* Fill numeric_args of the TU's calls. */
void tl_analysis_mark_numeric_hosts(tl_analysis *a);

#endif
