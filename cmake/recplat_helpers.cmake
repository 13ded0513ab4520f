# Helpers declaring the project's targets, one per module folder.
#
#   recplat_cc_library(NAME <name> [HDRS ...] SRCS ... [DEPS ...] [PRIVATE_DEPS ...])
#     -> library recplat_<name>, alias recplat::<name>
#   recplat_cc_test(NAME <name> SRCS ... DEPS ... [LABELS unit|slow|e2e] [TIMEOUT s])
#   recplat_cc_binary(NAME <name> SRCS ... DEPS ...)
#
# Include paths start at the repository root, so `#include "core/log/event_log.h"` names the
# module a header comes from.

set(RECPLAT_WARNINGS -Wall -Wextra -Wpedantic -Wno-unused-parameter -Wnon-virtual-dtor
    -Wimplicit-fallthrough)
if(RECPLAT_WERROR)
  list(APPEND RECPLAT_WARNINGS -Werror)
endif()
if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  list(APPEND RECPLAT_WARNINGS -Wthread-safety)
endif()

# In ThreadSanitizer builds every executable gets cmake/tsan_absl_sync.cc, which makes the
# prebuilt Abseil's mutexes, condition variables and notifications visible to TSan, and
# cmake/tsan_grpc_sync.cc, which does the same for gRPC's completion-queue tag hand-off.
function(recplat_executable_support target)
  if(RECPLAT_SANITIZE MATCHES "thread")
    target_sources(${target} PRIVATE ${PROJECT_SOURCE_DIR}/cmake/tsan_absl_sync.cc
                                     ${PROJECT_SOURCE_DIR}/cmake/tsan_grpc_sync.cc)
    target_link_libraries(${target} PRIVATE absl::synchronization ${CMAKE_DL_LIBS})
  endif()
endfunction()

function(recplat_cc_library)
  cmake_parse_arguments(ARG "" "NAME" "HDRS;SRCS;DEPS;PRIVATE_DEPS" ${ARGN})
  set(target recplat_${ARG_NAME})
  if(ARG_SRCS)
    add_library(${target} STATIC ${ARG_SRCS} ${ARG_HDRS})
    target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR})
    target_compile_features(${target} PUBLIC cxx_std_20)
    target_compile_options(${target} PRIVATE ${RECPLAT_WARNINGS})
    target_link_libraries(${target} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  else()
    add_library(${target} INTERFACE ${ARG_HDRS})
    target_include_directories(${target} INTERFACE ${PROJECT_SOURCE_DIR})
    target_compile_features(${target} INTERFACE cxx_std_20)
    target_link_libraries(${target} INTERFACE ${ARG_DEPS})
  endif()
  add_library(recplat::${ARG_NAME} ALIAS ${target})
endfunction()

function(recplat_cc_test)
  cmake_parse_arguments(ARG "" "NAME;TIMEOUT" "SRCS;DEPS;LABELS" ${ARGN})
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  # Sanitized code runs several times slower (TSan up to ~15x on the training tests).
  if(RECPLAT_SANITIZE)
    math(EXPR ARG_TIMEOUT "${ARG_TIMEOUT} * 4")
  endif()
  add_executable(${ARG_NAME} ${ARG_SRCS})
  target_include_directories(${ARG_NAME} PRIVATE ${PROJECT_SOURCE_DIR})
  target_compile_options(${ARG_NAME} PRIVATE ${RECPLAT_WARNINGS})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} GTest::gmock GTest::gtest_main)
  recplat_executable_support(${ARG_NAME})
  gtest_discover_tests(${ARG_NAME}
    PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT}
    DISCOVERY_TIMEOUT 60)
endfunction()

function(recplat_cc_binary)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SRCS})
  target_include_directories(${ARG_NAME} PRIVATE ${PROJECT_SOURCE_DIR})
  target_compile_options(${ARG_NAME} PRIVATE ${RECPLAT_WARNINGS})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS})
  recplat_executable_support(${ARG_NAME})
endfunction()
