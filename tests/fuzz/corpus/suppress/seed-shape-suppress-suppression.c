// tasklint-ignore(suppression): cannot
