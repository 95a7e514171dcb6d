x(); /* tasklint-ignore(*): anything goes */ y();
