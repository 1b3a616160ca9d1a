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
elseif(ORK_SANITIZE STREQUAL "thread")
  set(ork_sanitize_flags -fsanitize=thread)
  set(ORK_TEST_TIMEOUT_FACTOR 5)
elseif(ORK_SANITIZE AND NOT ORK_SANITIZE STREQUAL "OFF")
  message(FATAL_ERROR "ORK_SANITIZE=${ORK_SANITIZE} is not known: use address, thread or leave it empty")
endif()
if(ork_sanitize_flags)
  message(STATUS "ork: sanitizers ${ork_sanitize_flags}, test timeouts x${ORK_TEST_TIMEOUT_FACTOR}")
  add_compile_options(${ork_sanitize_flags} -fno-omit-frame-pointer)
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
