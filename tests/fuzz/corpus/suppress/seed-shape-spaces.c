x(); //   tasklint-ignore  (  missing-timeout ,  orphaned-spawn  )  :  spaced
