# `vigil detect`: the offline scoring command.
target_sources(vigil_app PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/detect_command.cpp)
