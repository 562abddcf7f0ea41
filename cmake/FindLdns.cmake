# FindLdns: NLnet Labs ldns, which ships ldns.pc but no CMake config.
# Defines Ldns_FOUND, Ldns_INCLUDE_DIR, Ldns_LIBRARY and the imported target Ldns::ldns.
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(PC_LDNS QUIET ldns)
endif()
find_path(Ldns_INCLUDE_DIR ldns/ldns.h HINTS ${PC_LDNS_INCLUDE_DIRS})
find_library(Ldns_LIBRARY NAMES ldns HINTS ${PC_LDNS_LIBRARY_DIRS})
set(Ldns_VERSION ${PC_LDNS_VERSION})

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Ldns
  REQUIRED_VARS Ldns_LIBRARY Ldns_INCLUDE_DIR
  VERSION_VAR Ldns_VERSION)

if(Ldns_FOUND AND NOT TARGET Ldns::ldns)
  add_library(Ldns::ldns UNKNOWN IMPORTED)
  set_target_properties(Ldns::ldns PROPERTIES
    IMPORTED_LOCATION "${Ldns_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${Ldns_INCLUDE_DIR}")
endif()
mark_as_advanced(Ldns_INCLUDE_DIR Ldns_LIBRARY)
