// tasklint-ignore-begin(blocking-in-coroutine, missing-timeout): startup
sleep(1);
poll(p,1,-1);
// tasklint-ignore-end
