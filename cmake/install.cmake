# cmake --install: the layout a C/C++ user of the DLL expects.
#   bin/      bitswatch.dll, bitswatch.exe
#   lib/      libbitswatch.dll.a (the import library; on x86 the one with the
#             decorated _Name@N symbols made by cmake/x86-import-library.cmake)
#   include/  bitswatch.h, bitswatch_compat.h, bitswatch_version.h (generated)
#   lib/cmake/BitsWatch/  BitsWatchConfig.cmake, BitsWatchConfigVersion.cmake,
#                         BitsWatchTargets*.cmake: target BitsWatch::bitswatch
#   lib/pkgconfig/bitswatch.pc
#   share/doc/BitsWatch/LICENSE
# Every installed file names paths relative to where it lies, so the prefix can
# be moved (the package zip carries it as x64/ and x86/).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(BW_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/BitsWatch)

# The headers' usage requirements travel with the library as
# BitsWatch::headers (bitswatch links it PUBLIC).
set_target_properties(bitswatch_headers PROPERTIES EXPORT_NAME headers)
install(TARGETS bitswatch bitswatch_headers
  EXPORT BitsWatchTargets
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
if(TARGET bitswatch_cli)
  install(TARGETS bitswatch_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
install(FILES
  ${PROJECT_SOURCE_DIR}/dll/include/bitswatch.h
  ${PROJECT_SOURCE_DIR}/dll/include/bitswatch_compat.h
  ${PROJECT_BINARY_DIR}/dll/include/bitswatch_version.h
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
if(EXISTS ${PROJECT_SOURCE_DIR}/LICENSE)
  install(FILES ${PROJECT_SOURCE_DIR}/LICENSE DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/BitsWatch)
endif()

install(EXPORT BitsWatchTargets
  NAMESPACE BitsWatch::
  DESTINATION ${BW_CMAKE_DIR})
configure_package_config_file(
  ${PROJECT_SOURCE_DIR}/cmake/BitsWatchConfig.cmake.in
  ${PROJECT_BINARY_DIR}/BitsWatchConfig.cmake
  INSTALL_DESTINATION ${BW_CMAKE_DIR})
# Same major version, this minor or newer: the ABI only ever appends.
# The DLL is 32- or 64-bit: a consumer of the other width is told no.
write_basic_package_version_file(
  ${PROJECT_BINARY_DIR}/BitsWatchConfigVersion.cmake
  COMPATIBILITY SameMajorVersion)
install(FILES
  ${PROJECT_BINARY_DIR}/BitsWatchConfig.cmake
  ${PROJECT_BINARY_DIR}/BitsWatchConfigVersion.cmake
  DESTINATION ${BW_CMAKE_DIR})

# pkg-config: prefix from the .pc file's own place (${pcfiledir}), so an
# unpacked zip works wherever it lands.
# (From LIBDIR alone: `cmake --install --prefix` may pick another prefix.)
file(RELATIVE_PATH BW_PC_TO_PREFIX /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
string(REGEX REPLACE "/$" "" BW_PC_TO_PREFIX "${BW_PC_TO_PREFIX}")
configure_file(${PROJECT_SOURCE_DIR}/cmake/bitswatch.pc.in
  ${PROJECT_BINARY_DIR}/bitswatch.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/bitswatch.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
