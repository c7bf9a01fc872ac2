# run_watch_job.cmake: bwjob makes a real BITS download from the loopback
# server, examples/c/watch_job.exe watches it through the DLL; passes when the
# example exits 0 having printed the Transferred state.
# In: EMULATOR (wine), BWJOB, WATCH_JOB, DLL, WORK; env BW_TEST_HTTP.
if(NOT DEFINED ENV{BW_TEST_HTTP} OR "$ENV{BW_TEST_HTTP}" STREQUAL "")
  message(FATAL_ERROR "set BW_TEST_HTTP to the loopback server (tests/integration/http_server.py)")
endif()
string(RANDOM LENGTH 8 tag)
execute_process(COMMAND ${EMULATOR} ${BWJOB} create "$ENV{BW_TEST_HTTP}/slow/393216?rate=131072"
    "${WORK}/watch-${tag}.bin"
  OUTPUT_VARIABLE guid ERROR_VARIABLE err RESULT_VARIABLE rc TIMEOUT 90 OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT rc EQUAL 0 OR NOT guid MATCHES "^{[0-9A-Fa-f-]+}$")
  message(FATAL_ERROR "bwjob create failed (${rc}): ${guid} ${err}")
endif()
execute_process(COMMAND ${EMULATOR} ${WATCH_JOB} ${guid} ${DLL}
  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc TIMEOUT 60)
message("${out}${err}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "watch_job exited with ${rc}")
endif()
if(NOT out MATCHES "Transferred +393216( / 393216)? bytes, 1/1 files")
  message(FATAL_ERROR "watch_job did not print the Transferred line")
endif()
execute_process(COMMAND ${EMULATOR} ${BWJOB} complete ${guid} OUTPUT_QUIET ERROR_QUIET)
