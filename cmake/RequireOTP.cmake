# RequireOTP.cmake - the conformance tests ask a real Erlang/OTP, so a
# missing OTP is a configuration error, never a silent skip.
#
# Sets HOTPLAN_ESCRIPT (cache) to the escript that runs the conformance
# drivers, after checking that it runs and that OTP's sasl application (the
# release handler and the translator) is there. Fails configuration with
# what to install otherwise. Configuring with -DHOTPLAN_OTP_TESTS=OFF
# builds without the OTP tests, and says so.
#
# Also usable as a script, which is how tests/CMakeLists.txt checks that
# the failure really happens:
#   cmake -DHOTPLAN_ESCRIPT_NAMES=no-such-escript -P cmake/RequireOTP.cmake
if(NOT DEFINED HOTPLAN_ESCRIPT_NAMES)
  set(HOTPLAN_ESCRIPT_NAMES escript)
endif()
set(_hotplan_otp_fix "install Debian's erlang-base (./scripts/setup does), or configure with -DHOTPLAN_OTP_TESTS=OFF to build without the tests against OTP")

find_program(HOTPLAN_ESCRIPT NAMES ${HOTPLAN_ESCRIPT_NAMES}
  DOC "escript of the Erlang/OTP the conformance tests compare with")
if(NOT HOTPLAN_ESCRIPT)
  unset(HOTPLAN_ESCRIPT CACHE)
  message(FATAL_ERROR "escript not found (names tried: ${HOTPLAN_ESCRIPT_NAMES}): the conformance tests compare hotplan with a real Erlang/OTP; ${_hotplan_otp_fix}")
endif()

# escript runs a file; ask OTP for its release and for sasl through one.
if(CMAKE_SCRIPT_MODE_FILE)
  set(_hotplan_dir $ENV{TMPDIR})
  if(NOT _hotplan_dir)
    set(_hotplan_dir /tmp)
  endif()
else()
  set(_hotplan_dir ${CMAKE_BINARY_DIR}/CMakeFiles)
endif()
string(RANDOM LENGTH 8 _hotplan_tag)
set(_hotplan_probe ${_hotplan_dir}/hotplan-otp-probe-${_hotplan_tag}.escript)
file(WRITE ${_hotplan_probe} "%% the first line of an escript is skipped\n"
  "main(_) -> ok = application:load(sasl), {ok, V} = application:get_key(sasl, vsn),\n"
  "    io:format(\"~s ~s~n\", [erlang:system_info(otp_release), V]).\n")
execute_process(COMMAND ${HOTPLAN_ESCRIPT} ${_hotplan_probe}
  RESULT_VARIABLE _hotplan_rc OUTPUT_VARIABLE _hotplan_out ERROR_VARIABLE _hotplan_err
  OUTPUT_STRIP_TRAILING_WHITESPACE TIMEOUT 60)
file(REMOVE ${_hotplan_probe})
if(NOT _hotplan_rc EQUAL 0)
  message(FATAL_ERROR "'${HOTPLAN_ESCRIPT}' does not run an OTP with sasl (${_hotplan_rc}): ${_hotplan_err}; ${_hotplan_otp_fix}")
endif()
string(REPLACE " " ";" _hotplan_out "${_hotplan_out}")
list(GET _hotplan_out 0 HOTPLAN_OTP_RELEASE)
list(GET _hotplan_out 1 HOTPLAN_SASL_VSN)
message(STATUS "Erlang/OTP ${HOTPLAN_OTP_RELEASE} (sasl ${HOTPLAN_SASL_VSN}) for the conformance tests: ${HOTPLAN_ESCRIPT}")
