// tasklint-ignore-file(unawaited-task): legacy module
int x;
