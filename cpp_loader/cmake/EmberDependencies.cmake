# flatc + flatbuffers headers and BLAS for the runtime. Every input is a cache variable, so a
# build with no Python gives them on the command line; what is left empty is searched for.
#
#   EMBER_FLATC                     flatc executable
#   EMBER_FLATBUFFERS_INCLUDE_DIR   the folder holding flatbuffers/flatbuffers.h
#   EMBER_BLAS_LIBRARY              a CBLAS library (file path); else find_package(BLAS)
#   EMBER_BLAS_INCLUDE_DIR          the folder holding its cblas.h (optional)
#   EMBER_BLAS_PREFIX               prefix of its symbols: "scipy_" for scipy-openblas32
# Sets EMBER_BLAS_LIBRARIES (what the runtime links).

set(EMBER_FLATC "" CACHE FILEPATH "flatc, the same version as the flatbuffers headers")
set(EMBER_FLATBUFFERS_INCLUDE_DIR "" CACHE PATH "Folder with flatbuffers/flatbuffers.h")
set(EMBER_BLAS_LIBRARY "" CACHE FILEPATH "CBLAS library; empty: find_package(BLAS)")
set(EMBER_BLAS_INCLUDE_DIR "" CACHE PATH "Folder with the BLAS library's cblas.h")
set(EMBER_BLAS_PREFIX "" CACHE STRING "Symbol prefix of the BLAS library (scipy_)")

if(NOT EMBER_FLATC)
  find_program(EMBER_FLATC_FOUND NAMES flatc REQUIRED)
  set(EMBER_FLATC ${EMBER_FLATC_FOUND} CACHE FILEPATH "" FORCE)
endif()
if(NOT EMBER_FLATBUFFERS_INCLUDE_DIR)
  find_path(EMBER_FLATBUFFERS_FOUND NAMES flatbuffers/flatbuffers.h REQUIRED)
  set(EMBER_FLATBUFFERS_INCLUDE_DIR ${EMBER_FLATBUFFERS_FOUND} CACHE PATH "" FORCE)
endif()
message(STATUS "ember: flatc ${EMBER_FLATC}, headers ${EMBER_FLATBUFFERS_INCLUDE_DIR}")

if(EMBER_BLAS_LIBRARY)
  set(EMBER_BLAS_LIBRARIES ${EMBER_BLAS_LIBRARY})
else()
  find_package(BLAS)
  if(NOT BLAS_FOUND)
    message(FATAL_ERROR "ember: no BLAS found; give -DEMBER_BLAS_LIBRARY=/path/to/libopenblas.so "
                        "(pip's scipy-openblas32 has one: add -DEMBER_BLAS_PREFIX=scipy_)")
  endif()
  set(EMBER_BLAS_LIBRARIES ${BLAS_LIBRARIES})
endif()
message(STATUS "ember: BLAS ${EMBER_BLAS_LIBRARIES} (symbol prefix '${EMBER_BLAS_PREFIX}')")
