# ork_add_plugin(NAME KIND SOURCES...)
#
# Builds plugin NAME of KIND (executor|storage) as a MODULE library named
# ork_<kind>_<name>.so in build/lib/ork/plugins/, with hidden visibility so the
# only export is ork_plugin_describe, and installs it beside the host's other
# plugins. Link extra libraries with target_link_libraries(ork_<kind>_<name> …).
function(ork_add_plugin name kind)
  set(target ork_${kind}_${name})
  add_library(${target} MODULE ${ARGN})
  target_link_libraries(${target} PRIVATE ork::plugin_api)
  set_target_properties(${target} PROPERTIES
    PREFIX ""
    OUTPUT_NAME ${target}
    CXX_VISIBILITY_PRESET hidden
    C_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    LIBRARY_OUTPUT_DIRECTORY ${ORK_OUTPUT_PLUGINS})
  install(TARGETS ${target} LIBRARY DESTINATION ${ORK_INSTALL_PLUGINDIR})
endfunction()

# ork_add_plugin_core(TARGET SOURCES...)
#
# The static library that holds a plugin's code, linked by its module
# (ork_add_plugin) and by its unit tests, which use its classes directly: the
# folder's src/ as its public include root, ork::plugin_api, and hidden
# visibility like the module's. Link the rest with
# target_link_libraries(TARGET PUBLIC …).
function(ork_add_plugin_core target)
  add_library(${target} STATIC ${ARGN})
  target_include_directories(${target} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/src)
  target_link_libraries(${target} PUBLIC ork::plugin_api)
  set_target_properties(${target} PROPERTIES
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
endfunction()
