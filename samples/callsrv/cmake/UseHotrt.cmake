# UseHotrt.cmake - libhotrt for callsrv v1 and v2: the target
# hotrt::hotrt_static, hotrt_add_module() (NAME.VSN.so), and the sample's
# callsrv_module() and callsrv_program().
#
# The sample lives in hotplan's tree, so the runtime is built here from
# that tree's runtime/ (its sources are kept out of compile_commands.json,
# so 'hotplan analyze' sees callsrv's files only). A program of your own
# uses the installed package instead: find_package(hotrt), as README.md's
# "Hot-upgrade your own program" says.
get_filename_component(CALLSRV_HOTPLAN_ROOT ${CMAKE_CURRENT_LIST_DIR}/../../.. ABSOLUTE)
if(EXISTS ${CALLSRV_HOTPLAN_ROOT}/runtime/hotrt.h)
  set(HOTRT_SOURCE_ROOT ${CALLSRV_HOTPLAN_ROOT})
  include(${HOTRT_SOURCE_ROOT}/runtime/cmake/HotrtSources.cmake)
  find_package(Threads REQUIRED)
  add_library(callsrv_hotrt STATIC ${HOTRT_SOURCES})
  set_target_properties(callsrv_hotrt PROPERTIES
    POSITION_INDEPENDENT_CODE ON EXPORT_COMPILE_COMMANDS OFF)
  target_compile_definitions(callsrv_hotrt PRIVATE _POSIX_C_SOURCE=200809L _DEFAULT_SOURCE)
  set_source_files_properties(${HOTRT_MODEL_SOURCES} TARGET_DIRECTORY callsrv_hotrt
    PROPERTIES COMPILE_DEFINITIONS XXH_INLINE_ALL)
  target_include_directories(callsrv_hotrt PRIVATE ${HOTRT_SOURCE_ROOT}/model)
  target_include_directories(callsrv_hotrt PUBLIC ${HOTRT_SOURCE_ROOT}/runtime)
  target_link_libraries(callsrv_hotrt PUBLIC Threads::Threads ${CMAKE_DL_LIBS})
  add_library(hotrt::hotrt_static ALIAS callsrv_hotrt)
  include(${HOTRT_SOURCE_ROOT}/runtime/cmake/HotrtModule.cmake)
  set(CALLSRV_HOTRT_INCLUDE ${HOTRT_SOURCE_ROOT}/runtime)
else()
  find_package(hotrt 0.1 REQUIRED)
  get_target_property(CALLSRV_HOTRT_INCLUDE hotrt::hotrt_static INTERFACE_INCLUDE_DIRECTORIES)
endif()

# callsrv_module(NAME SOURCE...): module NAME of this version, as
# NAME.<project version>.so beside the program, which loads every such
# file it finds there.
function(callsrv_module name)
  hotrt_add_module(callsrv_${name} NAME ${name} VERSION ${PROJECT_VERSION}
    SOURCES ${ARGN} OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
  target_include_directories(callsrv_${name} PRIVATE include ${CALLSRV_HOTRT_INCLUDE})
  target_compile_definitions(callsrv_${name} PRIVATE _POSIX_C_SOURCE=200809L)
  target_compile_options(callsrv_${name} PRIVATE -Wall -Wextra)
  set_property(GLOBAL APPEND PROPERTY CALLSRV_MODULES callsrv_${name})
endfunction()

# The program: boot.c, the same file in every version, linked with the
# runtime, whose functions it exports to the modules.
function(callsrv_program)
  add_executable(callsrv src/boot/boot.c)
  target_include_directories(callsrv PRIVATE include)
  target_compile_definitions(callsrv PRIVATE _POSIX_C_SOURCE=200809L)
  target_compile_options(callsrv PRIVATE -Wall -Wextra)
  target_link_libraries(callsrv PRIVATE hotrt::hotrt_static)
  set_target_properties(callsrv PROPERTIES ENABLE_EXPORTS ON)
  get_property(mods GLOBAL PROPERTY CALLSRV_MODULES)
  add_dependencies(callsrv ${mods})
endfunction()
