// tasklint-ignore-next-line(missing-timeout): shutdown wait
poll(p, 1, -1);
