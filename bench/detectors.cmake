# Detector benchmark (figures in docs/benchmarks.md, "Detection engine").
qt_add_executable(bench_detectors ${CMAKE_CURRENT_SOURCE_DIR}/detectors/bench_detectors.cpp)
target_link_libraries(bench_detectors PRIVATE vigil_engine)
target_compile_definitions(bench_detectors PRIVATE VIGIL_SHARED_DATA="${CMAKE_SOURCE_DIR}/../shared/data")
