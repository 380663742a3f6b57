# Detector tests (engine/detectors, app/detect_command).
vigil_add_test(tst_detectors SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/tst_detectors.cpp LIBS vigil_engine TIMEOUT 240)
vigil_add_test(tst_features SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/tst_features.cpp LIBS vigil_engine TIMEOUT 120)

# `vigil detect` runs as a process: the stand-alone command built from the same source, and
# the vigil executable itself once its main dispatches `detect`.
qt_add_executable(vigil_detect_cli ${CMAKE_CURRENT_SOURCE_DIR}/detect_cli_main.cpp ${CMAKE_SOURCE_DIR}/app/detect_command.cpp)
target_link_libraries(vigil_detect_cli PRIVATE vigil_engine)
vigil_add_test(tst_detect_command SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/tst_detect_command.cpp LIBS vigil_engine TIMEOUT 240)
target_compile_definitions(tst_detect_command PRIVATE
    VIGIL_DETECT_CLI="$<TARGET_FILE:vigil_detect_cli>"
    VIGIL_EXECUTABLE="$<TARGET_FILE:vigil>")
add_dependencies(tst_detect_command vigil_detect_cli)
