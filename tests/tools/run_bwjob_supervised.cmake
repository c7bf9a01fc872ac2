# run_bwjob_supervised.cmake: "bwjob create" survives a BITS service that does
# not answer CreateJob (Wine 8 does this now and then). With the test hook
# BWJOB_TEST_HANG_ATTEMPTS the first attempt(s) block as the service does:
#  - attempt 1 blocks: the job is still made by attempt 2, exit 0, one GUID
#    on stdout, the retry reported on stderr;
#  - attempt 1 fails quickly (the service away): attempt 2 makes the job;
#  - all 3 attempts block: exit 3, no GUID, "giving up" on stderr.
# In: EMULATOR (wine), BWJOB, WORK; env BW_TEST_HTTP.
if(NOT DEFINED ENV{BW_TEST_HTTP} OR "$ENV{BW_TEST_HTTP}" STREQUAL "")
  message(FATAL_ERROR "set BW_TEST_HTTP to the loopback server (tests/integration/http_server.py)")
endif()
set(ENV{BWJOB_CREATE_TIMEOUT_MS} 1500)

# create(HANG FAIL FILE): bwjob create with the hooks set; rc, out, err back.
function(create hang fail file)
  set(ENV{BWJOB_TEST_HANG_ATTEMPTS} ${hang})
  set(ENV{BWJOB_TEST_FAIL_ATTEMPTS} ${fail})
  execute_process(COMMAND ${EMULATOR} ${BWJOB} create "$ENV{BW_TEST_HTTP}/fast/4096"
      "${WORK}/${file}" --name "bwjob supervised create"
    OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc TIMEOUT 60
    OUTPUT_STRIP_TRAILING_WHITESPACE)
  message("hang ${hang}, fail ${fail}: exit ${rc}, stdout '${out}', stderr '${err}'")
  set(rc "${rc}" PARENT_SCOPE)
  set(out "${out}" PARENT_SCOPE)
  set(err "${err}" PARENT_SCOPE)
  if(out MATCHES "^{[0-9A-Fa-f-]+}$")
    execute_process(COMMAND ${EMULATOR} ${BWJOB} cancel ${out} OUTPUT_QUIET ERROR_QUIET TIMEOUT 30)
  endif()
endfunction()

create(1 0 supervised.bin)
if(NOT rc EQUAL 0 OR NOT out MATCHES "^{[0-9A-Fa-f-]+}$")
  message(FATAL_ERROR "expected exit 0 and one GUID after a hung first attempt")
endif()
if(NOT err MATCHES "create attempt 1 of 3 gave no job in 1500 ms .*trying again")
  message(FATAL_ERROR "the retry was not reported on stderr")
endif()
if(err MATCHES "attempt 2")
  message(FATAL_ERROR "attempt 2 should have made the job")
endif()

# attempt 1 fails (the service away for a moment): attempt 2 makes the job.
create(0 1 supervised3.bin)
if(NOT rc EQUAL 0 OR NOT out MATCHES "^{[0-9A-Fa-f-]+}$")
  message(FATAL_ERROR "expected exit 0 and one GUID after a failed first attempt")
endif()
if(NOT err MATCHES "create attempt 1 of 3 failed; trying again")
  message(FATAL_ERROR "the retry after a failure was not reported on stderr")
endif()

create(3 0 supervised2.bin)
if(NOT rc EQUAL 3 OR NOT out STREQUAL "")
  message(FATAL_ERROR "expected exit 3 and no output when every attempt hangs")
endif()
if(NOT err MATCHES "attempt 3 of 3 gave no job in 1500 ms .*giving up")
  message(FATAL_ERROR "giving up was not reported on stderr")
endif()
