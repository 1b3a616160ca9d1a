# Writes the man pages (ork.1, ork-CMD.1) and the bash completion script by
# running the freshly built ork with its hidden flags, so they come from the
# same command table as `ork --help` (host/src/cli/command_table.cpp).
# Usage: cmake -DORK=<built ork> -DOUT=<build>/share -P OrkGeneratedDocs.cmake
function(run_ork output)
  execute_process(COMMAND ${ORK} ${ARGN} OUTPUT_FILE ${output} RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "`ork ${ARGN}` failed (${rc}): ${err}")
  endif()
endfunction()

set(man_dir ${OUT}/man/man1)
set(completion_dir ${OUT}/bash-completion/completions)
file(MAKE_DIRECTORY ${man_dir} ${completion_dir})
file(GLOB stale ${man_dir}/ork.1 ${man_dir}/ork-*.1)  # a command that was removed loses its page
if(stale)
  file(REMOVE ${stale})
endif()

run_ork(${OUT}/commands.txt --list-commands)
file(STRINGS ${OUT}/commands.txt commands)
file(REMOVE ${OUT}/commands.txt)
run_ork(${man_dir}/ork.1 --man-page)
foreach(command ${commands})
  run_ork(${man_dir}/ork-${command}.1 --man-page ${command})
endforeach()
run_ork(${completion_dir}/ork --bash-completion)
