# Writes the x86 import library of bitswatch.dll from decorated names.
# In: NM, DLLTOOL, DEF (the export list), OBJECTS (;-list), OUT_DEF, OUT_LIB.
# Every name in DEF must be found decorated (_Name@N) in the objects: a missing
# one means the function is not __stdcall (or not defined), and that is an error.
file(STRINGS ${DEF} lines)
set(names "")
foreach(line IN LISTS lines)
  string(STRIP "${line}" line)
  if(line MATCHES "^Bw[A-Za-z0-9_]+$")
    list(APPEND names ${line})
  endif()
endforeach()

set(objects ${OBJECTS})
execute_process(COMMAND ${NM} -g --defined-only ${objects}
  OUTPUT_VARIABLE symbols RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${NM} failed")
endif()

set(out "LIBRARY bitswatch.dll\nEXPORTS\n")
foreach(name IN LISTS names)
  string(REGEX MATCH " T _${name}@([0-9]+)\n" hit "${symbols}")
  if(NOT hit)
    message(FATAL_ERROR "${name}: no __stdcall definition (_${name}@N) in the objects")
  endif()
  string(APPEND out "    ${name}@${CMAKE_MATCH_1}\n")
endforeach()
file(WRITE ${OUT_DEF} "${out}")
# dlltool names its temporary symbols after the output path: run it in the
# output's folder with a relative name, so the bytes do not depend on where
# the build lives.
get_filename_component(lib_dir ${OUT_LIB} DIRECTORY)
get_filename_component(lib_name ${OUT_LIB} NAME)
execute_process(COMMAND ${DLLTOOL} -k -d ${OUT_DEF} -D bitswatch.dll -l ${lib_name}
  WORKING_DIRECTORY ${lib_dir}
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${DLLTOOL} failed")
endif()
