# libidn2 (Debian libidn2-dev): IDNA2008 conversion of U-labels to A-labels (RFC 8616).
# Defines Idn2::Idn2.
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(PC_IDN2 QUIET libidn2)
endif()
find_path(IDN2_INCLUDE_DIR idn2.h HINTS ${PC_IDN2_INCLUDE_DIRS})
find_library(IDN2_LIBRARY NAMES idn2 HINTS ${PC_IDN2_LIBRARY_DIRS})
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Idn2 REQUIRED_VARS IDN2_LIBRARY IDN2_INCLUDE_DIR)
if(Idn2_FOUND AND NOT TARGET Idn2::Idn2)
  add_library(Idn2::Idn2 UNKNOWN IMPORTED)
  set_target_properties(Idn2::Idn2 PROPERTIES IMPORTED_LOCATION "${IDN2_LIBRARY}"
                        INTERFACE_INCLUDE_DIRECTORIES "${IDN2_INCLUDE_DIR}")
endif()
