# Test dependencies. Native: Debian's libcmocka-dev and libffi-dev. mingw-w64:
# static cmocka and libffi built from Debian's source packages by tests/run.sh
# into BW_DEPS_PREFIX (see tests/deps/build-deps.sh).
if(WIN32)
  if(NOT BW_DEPS_PREFIX)
    message(FATAL_ERROR "BW_DEPS_PREFIX must name the prefix with mingw cmocka and libffi (tests/run.sh sets it)")
  endif()
  add_library(bw_cmocka STATIC IMPORTED)
  set_target_properties(bw_cmocka PROPERTIES
    IMPORTED_LOCATION ${BW_DEPS_PREFIX}/lib/libcmocka-static.a
    INTERFACE_INCLUDE_DIRECTORIES ${BW_DEPS_PREFIX}/include)
  if(EXISTS ${BW_DEPS_PREFIX}/lib/libffi.a)
    add_library(bw_ffi STATIC IMPORTED)
    set_target_properties(bw_ffi PROPERTIES
      IMPORTED_LOCATION ${BW_DEPS_PREFIX}/lib/libffi.a
      INTERFACE_INCLUDE_DIRECTORIES ${BW_DEPS_PREFIX}/include
      INTERFACE_COMPILE_DEFINITIONS FFI_STATIC_BUILD)
  endif()
else()
  find_library(BW_CMOCKA_LIB cmocka REQUIRED)
  find_path(BW_CMOCKA_INCLUDE cmocka.h REQUIRED)
  add_library(bw_cmocka UNKNOWN IMPORTED)
  set_target_properties(bw_cmocka PROPERTIES
    IMPORTED_LOCATION ${BW_CMOCKA_LIB}
    INTERFACE_INCLUDE_DIRECTORIES ${BW_CMOCKA_INCLUDE})
endif()

# bw_add_test(name SOURCES ... [LIBS ...]): test name = target name = file name.
function(bw_add_test name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE bw_cmocka ${T_LIBS})
  add_test(NAME ${name} COMMAND ${name})
endfunction()
