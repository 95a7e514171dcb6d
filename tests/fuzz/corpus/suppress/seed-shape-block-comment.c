/* tasklint-ignore-next-line(missing-timeout, orphaned-spawn):
   a reason */
chrecv(c, -1);
