# HotrtSources.cmake - the sources of libhotrt, for runtime/CMakeLists.txt
# and for the ThreadSanitizer build of its tests (tests/runtime/tsan), so the
# two cannot list different files. Set HOTRT_SOURCE_ROOT to hotplan's source
# tree first. Sets HOTRT_MODEL_SOURCES (model's script reader: term.c,
# instr.c and what they need, compiled into the library so that it needs
# neither cJSON nor libxxhash; xxhash.h is used header-only, XXH_INLINE_ALL)
# and HOTRT_SOURCES (the runtime's own files and those).
set(HOTRT_MODEL_SOURCES
  ${HOTRT_SOURCE_ROOT}/model/util.c
  ${HOTRT_SOURCE_ROOT}/model/fileio.c
  ${HOTRT_SOURCE_ROOT}/model/jsonw.c
  ${HOTRT_SOURCE_ROOT}/model/term.c
  ${HOTRT_SOURCE_ROOT}/model/instr.c)
set(HOTRT_SOURCES
  ${HOTRT_SOURCE_ROOT}/runtime/control.c
  ${HOTRT_SOURCE_ROOT}/runtime/module.c
  ${HOTRT_SOURCE_ROOT}/runtime/proc.c
  ${HOTRT_SOURCE_ROOT}/runtime/release.c
  ${HOTRT_SOURCE_ROOT}/runtime/runtime.c
  ${HOTRT_MODEL_SOURCES})
