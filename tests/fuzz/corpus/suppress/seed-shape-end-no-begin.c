int x;
// tasklint-ignore-end
