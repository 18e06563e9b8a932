# kcpkit's third-party libraries as imported targets under kcpkit_deps::, the same way in
# kcpkit's own build (mode REQUIRED) and in a consumer's find_package(kcpkit) (mode QUIET:
# kcpkitConfig.cmake reports what is missing). Installed next to kcpkitConfig.cmake.
#
#   kcpkit_deps::cryptopp  Crypto++ (pkg-config libcrypto++), linked by kcpkit::crypt
#   kcpkit_deps::jerasure  Jerasure + GF-Complete (no pkg-config or CMake files of their
#                          own: found by header and library name), linked by kcpkit::fec
#   kcpkit_deps::ns3       ns-3 (pkg-config, the Debian packaging), linked by kcpkit::ns3
#
# The names are kcpkit's own so they never collide with a consumer's pkg_check_modules()
# prefixes or its own find modules. Imported include directories are SYSTEM includes, so the
# libraries' warnings do not trip kcpkit's -Werror.

# kcpkit_find_pkg_config(<name> <mode> <modules...>): kcpkit_deps::<name> from pkg-config.
function(kcpkit_find_pkg_config name mode)
    if(TARGET kcpkit_deps::${name})
        return()
    endif()
    find_package(PkgConfig ${mode})
    if(PkgConfig_FOUND)
        string(TOUPPER KCPKIT_${name} prefix)
        pkg_check_modules(${prefix} ${mode} IMPORTED_TARGET ${ARGN})
    endif()
    if(TARGET PkgConfig::${prefix})
        add_library(kcpkit_deps::${name} INTERFACE IMPORTED)
        target_link_libraries(kcpkit_deps::${name} INTERFACE PkgConfig::${prefix})
    endif()
endfunction()

function(kcpkit_find_cryptopp mode)
    kcpkit_find_pkg_config(cryptopp ${mode} libcrypto++)
endfunction()

function(kcpkit_find_jerasure mode)
    if(TARGET kcpkit_deps::jerasure)
        return()
    endif()
    set(required)
    if(mode STREQUAL "REQUIRED")
        set(required REQUIRED)
    endif()
    find_path(KCPKIT_JERASURE_INCLUDE_DIR jerasure.h ${required})
    # Jerasure's own headers include "galois.h" from their jerasure/ subfolder.
    find_path(KCPKIT_JERASURE_GALOIS_DIR galois.h PATH_SUFFIXES jerasure ${required})
    find_library(KCPKIT_JERASURE_LIBRARY Jerasure ${required})
    find_library(KCPKIT_GF_COMPLETE_LIBRARY gf_complete ${required})
    if(KCPKIT_JERASURE_INCLUDE_DIR AND KCPKIT_JERASURE_GALOIS_DIR AND KCPKIT_JERASURE_LIBRARY
       AND KCPKIT_GF_COMPLETE_LIBRARY)
        add_library(kcpkit_deps::jerasure INTERFACE IMPORTED)
        set_target_properties(kcpkit_deps::jerasure PROPERTIES
            INTERFACE_INCLUDE_DIRECTORIES "${KCPKIT_JERASURE_INCLUDE_DIR};${KCPKIT_JERASURE_GALOIS_DIR}"
            INTERFACE_LINK_LIBRARIES "${KCPKIT_JERASURE_LIBRARY};${KCPKIT_GF_COMPLETE_LIBRARY}")
    endif()
endfunction()

# The ns-3 modules kcpkit::ns3 and kcp-sim use (ns-3 3.37's pkg-config names); kcpkit-ns3.pc
# requires the same list.
set(KCPKIT_NS3_MODULES ns3-core ns3-network ns3-internet ns3-point-to-point ns3-traffic-control
                       ns3-applications)

# Debian's ns-3 .pc files name libgsl by absolute path: libgsl-dev must be installed.
function(kcpkit_find_ns3 mode)
    kcpkit_find_pkg_config(ns3 ${mode} ${KCPKIT_NS3_MODULES})
endfunction()
