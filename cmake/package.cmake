# package.cmake - CPack: `cpack -G DEB` in the build directory makes
# tasklint_VERSION_ARCH.deb from what cmake/install.cmake installs, under /usr.
#
# Dependencies: dpkg-shlibdeps (package dpkg-dev) derives them from the
# libraries the binary links (libclang1-N, libsqlite3-0, libc6).  libclang
# also needs clang's own headers (stddef.h, stdarg.h...) at run time; they are
# in libclang-common-N-dev, which libclang1-N does not pull in.
set(CPACK_PACKAGE_NAME tasklint)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "static analyzer for async task-lifecycle bugs in C")
# the long description, in lines of less than 80 columns
string(JOIN "\n" CPACK_PACKAGE_DESCRIPTION
  "tasklint is a static analyzer for C built on libclang. It finds threads"
  "and coroutines that are spawned and never joined, work torn down before"
  "it is awaited, waits without a timeout, and blocking calls inside"
  "coroutines and event-loop callbacks. It knows pthread, C11 threads,"
  "libdill, libmill, minicoro, libuv, libevent, liburing and libcurl, keeps"
  "its findings in a SQLite store with baselines, and writes text, JSON and"
  "SARIF. The package has the manual page, bash and zsh completions, the"
  "pre-commit hook and the editor integrations (Vim, Neovim, Emacs, VS Code).")
set(TASKLINT_PACKAGE_MAINTAINER "tasklint maintainers <maintainers@tasklint.invalid>"
  CACHE STRING "Maintainer field of the .deb (\"Name <email>\")")
set(CPACK_PACKAGE_CONTACT ${TASKLINT_PACKAGE_MAINTAINER})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)

set(CPACK_GENERATOR DEB)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # tasklint_0.1.0_amd64.deb
set(CPACK_DEBIAN_PACKAGE_MAINTAINER ${TASKLINT_PACKAGE_MAINTAINER})
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
if(LIBCLANG_LIBRARY MATCHES "/llvm-([0-9]+)/")
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "libclang-common-${CMAKE_MATCH_1}-dev")
endif()
# git: --baseline-commit and the pre-commit hook; libc6-dev: the headers of
# the C code being analysed
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "git, libc6-dev")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "pre-commit, bash-completion")

# `make package_source`: the sources without build trees and local state
set(CPACK_SOURCE_GENERATOR TGZ)
set(CPACK_SOURCE_IGNORE_FILES "/\\\\.git/" "/build[^/]*/" "/node_modules/" "/\\\\.tasklint/")
include(CPack)
