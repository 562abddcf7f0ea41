# FindMilter: Sendmail's libmilter, which ships milter.pc (Debian: libmilter-dev) but no CMake
# config. Defines Milter_FOUND, Milter_INCLUDE_DIR, Milter_LIBRARY and the imported target
# Milter::milter, which also links Threads::Threads (libmilter runs one thread per connection).
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(PC_MILTER QUIET milter)
endif()
# milter.pc points at .../include/libmilter; sources include <libmilter/mfapi.h>, so look for
# the directory above it.
find_path(Milter_INCLUDE_DIR libmilter/mfapi.h HINTS ${PC_MILTER_INCLUDEDIR}/.. ${PC_MILTER_INCLUDE_DIRS}/..)
find_library(Milter_LIBRARY NAMES milter HINTS ${PC_MILTER_LIBRARY_DIRS})
set(Milter_VERSION ${PC_MILTER_VERSION})

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Milter
  REQUIRED_VARS Milter_LIBRARY Milter_INCLUDE_DIR
  VERSION_VAR Milter_VERSION)

if(Milter_FOUND AND NOT TARGET Milter::milter)
  find_package(Threads REQUIRED)
  add_library(Milter::milter UNKNOWN IMPORTED)
  set_target_properties(Milter::milter PROPERTIES
    IMPORTED_LOCATION "${Milter_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${Milter_INCLUDE_DIR}"
    INTERFACE_LINK_LIBRARIES Threads::Threads)
endif()
mark_as_advanced(Milter_INCLUDE_DIR Milter_LIBRARY)
