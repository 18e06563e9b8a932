# `cmake --install <build> --prefix P`: the public headers under P/include/kcpkit/<layer>/,
# the libraries under P/lib/, the CMake package (find_package(kcpkit), targets kcpkit::<name>)
# under P/lib/cmake/kcpkit/ and one pkg-config file per public library under
# P/lib/pkgconfig/. Tests, tools, the tools' own libraries and test support headers are not
# installed. docs/library.md is the user's side of this file;
# packaging/consumer-test checks it from outside the tree.
#
# The package has one export file per component, so a consumer of the bare core needs none
# of the third-party libraries the other layers link:
#   kcp       kcpkit::base kcpkit::kcp                        (nothing)
#   protocol  kcpkit::crypt ::fec ::frame ::kcpgo ::kcptun
#             and kcpkit::protocol, the whole sans-IO stack   (Crypto++, Jerasure)
#   net       kcpkit::net                                     (Threads)
#   ns3       kcpkit::ns3, when the build has sim/            (ns-3)
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(KCPKIT_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/kcpkit)
set(KCPKIT_INSTALL_PKGCONFIGDIR ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# kcpkit_install_headers(<folder> <source dir> [PRIVATE <x.hpp>...] [DETAIL <detail/x.hpp>...]):
# <source dir>/*.hpp as include/kcpkit/<folder>/*.hpp, without test support headers and the
# PRIVATE ones (included by the library's .cpp files only); of the subfolders only the DETAIL
# headers, those a public header includes.
function(kcpkit_install_headers folder source_dir)
    cmake_parse_arguments(arg "" "" "PRIVATE;DETAIL" ${ARGN})
    file(GLOB headers CONFIGURE_DEPENDS ${source_dir}/*.hpp)
    list(FILTER headers EXCLUDE REGEX "test_support\\.hpp$")
    foreach(header IN LISTS arg_PRIVATE)
        list(REMOVE_ITEM headers ${source_dir}/${header})
    endforeach()
    install(FILES ${headers} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/kcpkit/${folder})
    foreach(header IN LISTS arg_DETAIL)
        get_filename_component(subfolder ${header} DIRECTORY)
        install(FILES ${source_dir}/${header}
                DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/kcpkit/${folder}/${subfolder})
    endforeach()
endfunction()

# kcpkit_install_component(<component> <targets...>): the libraries and their export file
# kcpkit-<component>-targets.cmake. Consumers get C++20 from the targets themselves.
function(kcpkit_install_component component)
    foreach(target IN LISTS ARGN)
        target_compile_features(${target} INTERFACE cxx_std_20)
    endforeach()
    install(TARGETS ${ARGN} EXPORT kcpkit-${component}
            ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
            INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
    install(EXPORT kcpkit-${component} NAMESPACE kcpkit:: DESTINATION ${KCPKIT_INSTALL_CMAKEDIR}
            FILE kcpkit-${component}-targets.cmake)
endfunction()

# kcpkit_install_pkgconfig(<name> <description> REQUIRES <modules...> LIBS <flags...>):
# <name>.pc. The libraries are static, so what they link goes to Requires / Libs, not to
# the .private fields (plain `pkg-config --libs` must give a complete link line). The prefix
# is found from the .pc file's own place, so an installed tree can be moved.
function(kcpkit_install_pkgconfig name description)
    cmake_parse_arguments(arg "" "" "REQUIRES;LIBS" ${ARGN})
    file(RELATIVE_PATH pc_to_prefix /root/${KCPKIT_INSTALL_PKGCONFIGDIR} /root)
    string(REGEX REPLACE "/$" "" pc_to_prefix ${pc_to_prefix})
    list(JOIN arg_REQUIRES ", " requires)
    list(JOIN arg_LIBS " " libs)
    file(CONFIGURE OUTPUT ${CMAKE_BINARY_DIR}/pkgconfig/${name}.pc @ONLY CONTENT
[=[prefix=${pcfiledir}/@pc_to_prefix@
includedir=${prefix}/@CMAKE_INSTALL_INCLUDEDIR@
libdir=${prefix}/@CMAKE_INSTALL_LIBDIR@

Name: @name@
Description: @description@
Version: @PROJECT_VERSION@
Requires: @requires@
Cflags: -I${includedir}
Libs: -L${libdir} @libs@
]=])
    install(FILES ${CMAKE_BINARY_DIR}/pkgconfig/${name}.pc DESTINATION ${KCPKIT_INSTALL_PKGCONFIGDIR})
endfunction()

# ----- headers ------------------------------------------------------------------------------
foreach(layer IN ITEMS base kcp fec frame kcpgo kcptun)
    kcpkit_install_headers(${layer} ${PROJECT_SOURCE_DIR}/protocol/${layer})
endforeach()
# nonce.hpp includes detail/aes.hpp; the other SIMD kernels stay inside the library.
kcpkit_install_headers(crypt ${PROJECT_SOURCE_DIR}/protocol/crypt DETAIL detail/aes.hpp)
kcpkit_install_headers(net ${PROJECT_SOURCE_DIR}/net PRIVATE session_detail.hpp listener_shard.hpp)

# ----- libraries and CMake exports ----------------------------------------------------------
kcpkit_install_component(kcp kcpkit_base kcpkit_kcp)
kcpkit_install_component(protocol kcpkit_crypt kcpkit_fec kcpkit_frame kcpkit_kcpgo kcpkit_kcptun
                         kcpkit_protocol)
kcpkit_install_component(net kcpkit_net)
set(KCPKIT_HAVE_NS3 OFF)
if(TARGET kcpkit_ns3)
    set(KCPKIT_HAVE_NS3 ON)
    kcpkit_install_headers(ns3 ${PROJECT_SOURCE_DIR}/sim/ns3 PRIVATE splitmix64.hpp)
    kcpkit_install_component(ns3 kcpkit_ns3)
endif()

configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/kcpkitConfig.cmake.in
                              ${CMAKE_BINARY_DIR}/kcpkitConfig.cmake
                              INSTALL_DESTINATION ${KCPKIT_INSTALL_CMAKEDIR})
# 0.x: a new minor version may break the API.
write_basic_package_version_file(${CMAKE_BINARY_DIR}/kcpkitConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/kcpkitConfig.cmake ${CMAKE_BINARY_DIR}/kcpkitConfigVersion.cmake
              ${CMAKE_CURRENT_LIST_DIR}/kcpkitDependencies.cmake
        DESTINATION ${KCPKIT_INSTALL_CMAKEDIR})

# ----- pkg-config ---------------------------------------------------------------------------
kcpkit_install_pkgconfig(kcpkit-base "kcpkit: byte order and ring buffer (header-only)")
kcpkit_install_pkgconfig(kcpkit-kcp "kcpkit: the bare KCP core" REQUIRES kcpkit-base
                         LIBS -lkcpkit_kcp)
kcpkit_install_pkgconfig(kcpkit-crypt "kcpkit: kcp-go's packet encryption"
                         REQUIRES kcpkit-base libcrypto++ LIBS -lkcpkit_crypt)
kcpkit_install_pkgconfig(kcpkit-fec "kcpkit: kcp-go's Reed-Solomon FEC" REQUIRES kcpkit-base
                         LIBS -lkcpkit_fec -lJerasure -lgf_complete)
kcpkit_install_pkgconfig(kcpkit-frame "kcpkit: datagram framing, KCP -> FEC -> crypt"
                         REQUIRES kcpkit-crypt kcpkit-fec LIBS -lkcpkit_frame)
kcpkit_install_pkgconfig(kcpkit-kcpgo "kcpkit: kcp-go's session, listener demux and SNMP, sans-IO"
                         REQUIRES kcpkit-kcp kcpkit-frame LIBS -lkcpkit_kcpgo)
kcpkit_install_pkgconfig(kcpkit-kcptun "kcpkit: kcptun's modes, crypt recipe and flags"
                         REQUIRES kcpkit-kcpgo LIBS -lkcpkit_kcptun)
kcpkit_install_pkgconfig(kcpkit "kcpkit: the whole sans-IO stack (KCP, crypt, FEC, sessions)"
                         REQUIRES kcpkit-kcptun)
kcpkit_install_pkgconfig(kcpkit-net "kcpkit: kcp-go sessions on UDP sockets" REQUIRES kcpkit
                         LIBS -lkcpkit_net -pthread)
if(KCPKIT_HAVE_NS3)
    kcpkit_install_pkgconfig(kcpkit-ns3 "kcpkit: KCP flows as ns-3 applications"
                             REQUIRES kcpkit ${KCPKIT_NS3_MODULES} LIBS -lkcpkit_ns3)
endif()
