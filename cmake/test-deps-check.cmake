# Checked when BUILD_TESTING is ON, before any target is made, so that a
# missing test dependency is one clear message at configure time instead of a
# link error later. The library, bitswatch.exe and `cmake --install` need none
# of this: configure with -DBUILD_TESTING=OFF (the mingw default without
# BW_DEPS_PREFIX) to build without it.
if(WIN32)
  set(bw_how "tests/deps/build-deps.sh <triple> <prefix> builds them from Debian's source packages (tests/run.sh does it); then pass -DBW_DEPS_PREFIX=<prefix>, or configure with -DBUILD_TESTING=OFF")
  if(NOT BW_DEPS_PREFIX)
    message(FATAL_ERROR
      "BUILD_TESTING is ON but BW_DEPS_PREFIX is not set. The Windows tests need "
      "cmocka (lib/libcmocka-static.a, include/cmocka.h) and libffi (lib/libffi.a, "
      "include/ffi.h) built for this target. ${bw_how}.")
  endif()
  set(bw_missing "")
  foreach(f lib/libcmocka-static.a include/cmocka.h lib/libffi.a include/ffi.h)
    if(NOT EXISTS "${BW_DEPS_PREFIX}/${f}")
      list(APPEND bw_missing "${f}")
    endif()
  endforeach()
  if(bw_missing)
    list(JOIN bw_missing ", " bw_missing)
    message(FATAL_ERROR
      "BUILD_TESTING is ON but BW_DEPS_PREFIX (${BW_DEPS_PREFIX}) lacks: ${bw_missing}. "
      "The Windows tests need cmocka and libffi built for this target. ${bw_how}.")
  endif()
else()
  find_library(BW_CMOCKA_LIB cmocka)
  find_path(BW_CMOCKA_INCLUDE cmocka.h)
  if(NOT BW_CMOCKA_LIB OR NOT BW_CMOCKA_INCLUDE)
    message(FATAL_ERROR
      "BUILD_TESTING is ON but cmocka was not found (library: ${BW_CMOCKA_LIB}, "
      "header: ${BW_CMOCKA_INCLUDE}). The native tests need it: "
      "apt-get install libcmocka-dev, or configure with -DBUILD_TESTING=OFF.")
  endif()
endif()
