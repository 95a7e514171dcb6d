// tasklint-ignore-begin(*): a
// tasklint-ignore-begin(*): b
// tasklint-ignore-end
// tasklint-ignore-end
