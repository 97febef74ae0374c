# hotrt_add_module(TARGET NAME name VERSION vsn SOURCES src...
#                  [OUTPUT_DIRECTORY dir])
#
# Builds one version of a module as the shared object NAME.VSN.so that
# hotrt_load() and the release handler's load_object_code read. The object
# is linked so that the runtime's rules hold (hotrt.h):
#  - -Bsymbolic: calls inside the module bind to the module itself, even to
#    its exported functions (the local call stays in its version);
#  - -z lazy: calls to other modules go through the PLT, whose slots the
#    runtime binds to the exporter's current version (the remote call);
#  - no SONAME and no link to libhotrt: the program that loads the module
#    provides hotrt_receive() and the rest (link it with hotrt::hotrt, or
#    with hotrt::hotrt_static and ENABLE_EXPORTS ON).
function(hotrt_add_module target)
  cmake_parse_arguments(M "" "NAME;VERSION;OUTPUT_DIRECTORY" "SOURCES" ${ARGN})
  if(NOT M_NAME OR NOT M_VERSION OR NOT M_SOURCES)
    message(FATAL_ERROR "hotrt_add_module(${target}): NAME, VERSION and SOURCES are required")
  endif()
  add_library(${target} MODULE ${M_SOURCES})
  set_target_properties(${target} PROPERTIES
    PREFIX "" OUTPUT_NAME "${M_NAME}.${M_VERSION}" SUFFIX ".so"
    POSITION_INDEPENDENT_CODE ON C_VISIBILITY_PRESET default)
  if(M_OUTPUT_DIRECTORY)
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${M_OUTPUT_DIRECTORY})
  endif()
  target_link_options(${target} PRIVATE -Wl,-Bsymbolic -Wl,-z,lazy)
  if(TARGET hotrt::hotrt)
    target_include_directories(${target} PRIVATE
      $<TARGET_PROPERTY:hotrt::hotrt,INTERFACE_INCLUDE_DIRECTORIES>)
  endif()
endfunction()
