// tasklint-ignore-begin(*): forever
int x;
