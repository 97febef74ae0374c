# add_cmocka_test(NAME SOURCES src... [LINK_LIBRARIES lib...] [LABELS l...])
#
# Builds one cmocka test executable from SOURCES, links it with cmocka and the
# given libraries, gives it the project's warnings and sanitizers, and
# registers it with ctest under NAME.
find_package(PkgConfig REQUIRED)
pkg_check_modules(CMOCKA REQUIRED IMPORTED_TARGET cmocka)

function(add_cmocka_test name)
  cmake_parse_arguments(T "" "" "SOURCES;LINK_LIBRARIES;LABELS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  hotplan_target_defaults(${name})
  target_link_libraries(${name} PRIVATE PkgConfig::CMOCKA ${T_LINK_LIBRARIES})
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES
    ENVIRONMENT "HOTPLAN_SOURCE_DIR=${PROJECT_SOURCE_DIR};HOTPLAN_BINARY_DIR=${PROJECT_BINARY_DIR}")
  if(T_LABELS)
    set_tests_properties(${name} PROPERTIES LABELS "${T_LABELS}")
  endif()
endfunction()
