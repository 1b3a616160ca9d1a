# Sanitizer builds (ORK_SANITIZE, see the top-level CMakeLists.txt): the flags
# every target of the build gets, and ORK_TEST_TIMEOUT_FACTOR, by which the
# test folders multiply their per-test timeouts, because sanitized code runs
# 2-5 times slower and a timeout there would hide what the sanitizer found.
# The run-time options (halt on error, suppressions) are set by
# scripts/sanitize.sh, which also runs the tests.
set(ORK_TEST_TIMEOUT_FACTOR 1)
if(ORK_SANITIZE STREQUAL "ON" OR ORK_SANITIZE STREQUAL "address")
  # -fno-sanitize-recover: undefined behaviour aborts the process, so a test
  # cannot pass while UBSan prints a finding nobody reads.
  set(ork_sanitize_flags -fsanitize=address,undefined -fno-sanitize-recover=undefined)
  set(ORK_TEST_TIMEOUT_FACTOR 3)
  # -O1 -g1 (they come after the build type's -O2 -g, and the last one wins):
  # what ASan's documentation recommends for reasonable speed with exact
  # stacks, and line tables are all a symbolised report needs. It cuts the
  # compile time of the sanitized build by ~45% (pictures_test.cpp: 23.3 s at
  # -O2 -g, 12.9 s at -O1 -g1), which keeps CI (.ci/run) well inside its limit.
  set(ork_sanitize_optimisation -O1 -g1)
elseif(ORK_SANITIZE STREQUAL "thread")
  set(ork_sanitize_flags -fsanitize=thread)
  set(ORK_TEST_TIMEOUT_FACTOR 5)
elseif(ORK_SANITIZE AND NOT ORK_SANITIZE STREQUAL "OFF")
  message(FATAL_ERROR "ORK_SANITIZE=${ORK_SANITIZE} is not known: use address, thread or leave it empty")
endif()
if(ork_sanitize_flags)
  message(STATUS "ork: sanitizers ${ork_sanitize_flags}, test timeouts x${ORK_TEST_TIMEOUT_FACTOR}")
  add_compile_options(${ork_sanitize_flags} -fno-omit-frame-pointer ${ork_sanitize_optimisation})
  # GCC's flow analysis sees through the sanitizers' instrumentation poorly and
  # reports -Wmaybe-uninitialized inside libstdc++ (std::regex's NFA states,
  # GCC 12) that the normal build does not; CI builds treat warnings as errors.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    add_compile_options(-Wno-maybe-uninitialized)
  endif()
  add_link_options(${ork_sanitize_flags})
endif()

# ork_test_timeout(VAR SECONDS) sets VAR to SECONDS scaled for this build.
function(ork_test_timeout var seconds)
  math(EXPR scaled "${seconds} * ${ORK_TEST_TIMEOUT_FACTOR}")
  set(${var} ${scaled} PARENT_SCOPE)
endfunction()
