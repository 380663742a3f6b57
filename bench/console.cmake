# The analyst console at 1,000,000 alerts: open, sort, filter, jump, live-insert stalls.
qt_add_executable(bench_console ${CMAKE_CURRENT_SOURCE_DIR}/console/bench_console.cpp)
target_link_libraries(bench_console PRIVATE vigil_ui vigil_models Qt6::Test)

# Exports of a whole database to CSV and JSON: time and resident memory.
qt_add_executable(bench_export ${CMAKE_CURRENT_SOURCE_DIR}/console/bench_export.cpp)
target_link_libraries(bench_export PRIVATE vigil_models)
