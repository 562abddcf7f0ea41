# Helpers that give every kenin target the same standard, warnings and naming.
#   kenin_library(NAME SRCS ... DEPS ...)     -> kenin_<name>, alias kenin::<name>
#   kenin_test(NAME SRCS ... DEPS ...)        -> GoogleTest binary registered with CTest
#   kenin_fuzz(NAME SRCS ... DEPS ... DICT f) -> libFuzzer binary (KENIN_FUZZ), listed with its
#                                                dictionary in fuzz/targets.tsv for scripts/fuzz.sh

set(KENIN_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wnon-virtual-dtor)
if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  list(APPEND KENIN_WARNINGS -Wthread-safety)
endif()
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  # GCC 12 at -O3 reports false positives inside libstdc++ string code (GCC bugs 105329,
  # 105651); they would make -Werror fail Release builds of correct code.
  list(APPEND KENIN_WARNINGS -Wno-restrict -Wno-maybe-uninitialized)
endif()
if(KENIN_WERROR)
  list(APPEND KENIN_WARNINGS -Werror)
endif()

function(kenin_library name)
  cmake_parse_arguments(ARG "INTERFACE" "" "SRCS;DEPS" ${ARGN})
  if(ARG_INTERFACE)
    add_library(kenin_${name} INTERFACE)
    target_include_directories(kenin_${name} INTERFACE ${PROJECT_SOURCE_DIR})
    target_link_libraries(kenin_${name} INTERFACE ${ARG_DEPS})
  else()
    add_library(kenin_${name} STATIC ${ARG_SRCS})
    target_include_directories(kenin_${name} PUBLIC ${PROJECT_SOURCE_DIR})
    target_compile_options(kenin_${name} PRIVATE ${KENIN_WARNINGS})
    target_link_libraries(kenin_${name} PUBLIC ${ARG_DEPS})
  endif()
  add_library(kenin::${name} ALIAS kenin_${name})
endfunction()

function(kenin_executable name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SRCS})
  target_compile_options(${name} PRIVATE ${KENIN_WARNINGS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
endfunction()

function(kenin_test name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SRCS})
  target_compile_options(${name} PRIVATE ${KENIN_WARNINGS})
  target_compile_definitions(${name} PRIVATE
    KENIN_CONFORMANCE_DIR="${KENIN_CONFORMANCE_DIR}"
    KENIN_TEST_DATA_DIR="${PROJECT_SOURCE_DIR}/tests/data")
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60)
endfunction()

function(kenin_fuzz name)
  cmake_parse_arguments(ARG "" "DICT" "SRCS;DEPS" ${ARGN})
  kenin_executable(${name} SRCS ${ARG_SRCS} DEPS ${ARG_DEPS})
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  set_property(GLOBAL APPEND PROPERTY KENIN_FUZZ_TARGETS
               "${name}\t$<TARGET_FILE:${name}>\t${CMAKE_CURRENT_SOURCE_DIR}/${ARG_DICT}")
endfunction()
