// comment \
 tasklint-ignore(*): continued line
x();
