# Vigil's anomaly detectors, feature extraction and risk scoring (engine room: Qt Core + dlib).
target_sources(vigil_engine PRIVATE
    ${CMAKE_CURRENT_SOURCE_DIR}/detectors/sample_matrix.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/detectors/numeric_csv.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/detectors/detection_metrics.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/detectors/holdout_split.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/detectors/score_calibrator.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/detectors/parameter_reader.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/detectors/detector.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/detectors/isolation_forest.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/detectors/kd_tree.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/detectors/local_outlier_factor.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/detectors/statistical_detector.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/detectors/autoencoder_detector.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/detectors/seasonal_baseline.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/detectors/feature_extractor.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/detectors/risk_score.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/detectors/source_risk_tracker.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/detectors/model_record.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/detectors/live_model.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/detectors/model_scorer.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/detectors/model_trainer.cpp
)
