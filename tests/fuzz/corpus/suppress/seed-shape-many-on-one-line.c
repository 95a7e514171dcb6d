x(); /* tasklint-ignore(missing-timeout): a */ /* tasklint-ignore(orphaned-spawn): b */
