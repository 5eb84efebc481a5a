# Debian package (CPack DEB), included by the top-level CMakeLists.txt.
#   cmake -S . -B build -DCMAKE_BUILD_TYPE=Release && cmake --build build && (cd build && cpack)
# writes build/reinforge_<version>_<arch>.deb with
#   /usr/bin/reinforge, /usr/bin/reinforge-cli
#   /usr/share/reinforge/{models,datasets,presets,python,...}   (resources/, found by the engine
#                                                               relative to the executable)
#   /usr/share/applications/reinforge.desktop, /usr/share/icons/hicolor/scalable/apps/reinforge.svg
# Dependencies come from dpkg-shlibdeps (the shared libraries the executables link) plus python3
# for reward_functions_file.

install(DIRECTORY ${PROJECT_SOURCE_DIR}/resources/ DESTINATION share/reinforge
        PATTERN "__pycache__" EXCLUDE
        PATTERN "*.pyc" EXCLUDE)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/reinforge.desktop DESTINATION share/applications)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/reinforge.svg DESTINATION share/icons/hicolor/scalable/apps)
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION share/doc/reinforge OPTIONAL)

set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "reinforge")
set(CPACK_PACKAGE_VENDOR "Reinforge")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Online RL fine-tuning of language models (REINFORCE, RLOO, PPO, GRPO) on CPU")
set(CPACK_PACKAGE_DESCRIPTION
    "Reinforge fine-tunes Llama and Qwen language models with online reinforcement learning
(RLHF-REINFORCE with RLOO baselines, PPO with a pairwise judge, GRPO with verifiable reward
functions) on LoRA, DoRA or full fine-tuning, on an ordinary CPU, with no Python at run time.
It ships a Qt desktop app (reinforge), a headless CLI (reinforge-cli), a small embedded default
model and presets, and exports fused models as Hugging Face folders or GGUF files.")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "Reinforge maintainers <maintainers@reinforge.invalid>")
set(CPACK_DEBIAN_PACKAGE_SECTION "science")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "python3")
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_CHECKSUM SHA256)
include(CPack)

# Builds the .deb, unpacks it with dpkg -x and runs the installed reinforge-cli (label `slow`).
if(REINFORGE_BUILD_TESTS)
  add_test(NAME package_deb
           COMMAND bash ${PROJECT_SOURCE_DIR}/packaging/test_package.sh ${CMAKE_BINARY_DIR})
  set_tests_properties(package_deb PROPERTIES LABELS slow TIMEOUT 900)
endif()
