# Shared by the two mingw-w64 toolchain files (BW_MINGW_TRIPLE set by them).
set(CMAKE_C_COMPILER ${BW_MINGW_TRIPLE}-gcc)
set(CMAKE_RC_COMPILER ${BW_MINGW_TRIPLE}-windres)
# The target's root, plus what the user names: a prefix in CMAKE_PREFIX_PATH
# (an installed BitsWatch, say) holds Windows files and is searched as it is,
# not re-rooted under /usr/<triple>; -DCMAKE_FIND_ROOT_PATH=... adds roots.
list(APPEND CMAKE_FIND_ROOT_PATH /usr/${BW_MINGW_TRIPLE} ${CMAKE_PREFIX_PATH})
list(REMOVE_DUPLICATES CMAKE_FIND_ROOT_PATH)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# Only the x64 build can run here (wine64); the x86 one is built and checked statically.
if(BW_MINGW_TRIPLE STREQUAL "x86_64-w64-mingw32")
  find_program(BW_WINE NAMES wine64 wine)
  if(BW_WINE)
    set(CMAKE_CROSSCOMPILING_EMULATOR ${BW_WINE})
  endif()
endif()
