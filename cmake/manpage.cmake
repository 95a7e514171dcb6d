# manpage.cmake - writes tasklint(1) from the built tool (cmake -P script).
#
#   cmake -DTOOL=path/to/tasklint -DOUT=tasklint.1 [-DGZIP=/bin/gzip] -P manpage.cmake
#
# Runs `tasklint --help-man` (the page comes from the same tables as --help
# and the rules' --explain text, see analyzer/cli/manpage.c) into OUT, and
# with GZIP also writes OUT.gz (gzip -9n: no name or time stamp inside, so
# the file is the same for the same page).
execute_process(COMMAND ${TOOL} --help-man
  OUTPUT_FILE ${OUT}.tmp RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  file(REMOVE ${OUT}.tmp)
  message(FATAL_ERROR "${TOOL} --help-man failed (${rc}): ${err}")
endif()
file(RENAME ${OUT}.tmp ${OUT})
if(GZIP)
  execute_process(COMMAND ${GZIP} -9nc ${OUT}
    OUTPUT_FILE ${OUT}.gz.tmp RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    file(REMOVE ${OUT}.gz.tmp)
    message(FATAL_ERROR "${GZIP} ${OUT} failed (${rc})")
  endif()
  file(RENAME ${OUT}.gz.tmp ${OUT}.gz)
endif()
