int x = ; // tasklint-ignore(clang-diagnostic): cannot
