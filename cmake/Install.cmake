# `cmake --install` puts the library, headers and an exported CMake package
# (find_package(minitf CONFIG) -> minitf::minitf) under the prefix.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS minitf minitf_distributed EXPORT minitfTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(FILES minitf.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/minitf)
foreach(header IN LISTS MINITF_HEADERS)
  file(RELATIVE_PATH rel "${CMAKE_CURRENT_SOURCE_DIR}" "${header}")
  get_filename_component(dir "${rel}" DIRECTORY)
  install(FILES "${header}" DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/minitf/${dir})
endforeach()

set(config_dir ${CMAKE_INSTALL_LIBDIR}/cmake/minitf)
install(EXPORT minitfTargets NAMESPACE minitf:: DESTINATION ${config_dir})
configure_package_config_file(cmake/minitfConfig.cmake.in
  "${CMAKE_CURRENT_BINARY_DIR}/minitfConfig.cmake" INSTALL_DESTINATION ${config_dir})
write_basic_package_version_file("${CMAKE_CURRENT_BINARY_DIR}/minitfConfigVersion.cmake"
  COMPATIBILITY SameMajorVersion)
install(FILES "${CMAKE_CURRENT_BINARY_DIR}/minitfConfig.cmake"
              "${CMAKE_CURRENT_BINARY_DIR}/minitfConfigVersion.cmake"
        DESTINATION ${config_dir})
