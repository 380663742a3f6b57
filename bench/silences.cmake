# What silences cost: in-memory matching, ingest with silences, preview and console queries.
qt_add_executable(bench_silences ${CMAKE_CURRENT_SOURCE_DIR}/silences/bench_silences.cpp)
target_link_libraries(bench_silences PRIVATE vigil_models)
