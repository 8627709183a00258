# `cmake --install build --prefix P` and `cpack` (a .deb, like other HPC tools ship): the kdbench
# executable, the shipped grids, the Slurm templates, the docs and a man page. Nothing installed
# refers to the source checkout: grids name their data by absolute Debian paths and write their
# results relative to the directory kdbench runs in. The static libraries are an implementation
# detail and are not installed.
include(GNUInstallDirs)

install(TARGETS kdbench RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# SentencePiece's module (text/sentencepiece_shim.h), found relative to the installed kdbench.
install(TARGETS kdbench_sentencepiece LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}/kdbench)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/suite/grids/
        DESTINATION ${CMAKE_INSTALL_DATADIR}/kdbench/grids FILES_MATCHING PATTERN "*.ini")
install(DIRECTORY ${PROJECT_SOURCE_DIR}/slurm/templates/
        DESTINATION ${CMAKE_INSTALL_DATADIR}/kdbench/slurm)
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}
        FILES_MATCHING PATTERN "*.md" PATTERN "*.png")
install(FILES ${PROJECT_SOURCE_DIR}/reports/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR}
        RENAME reports.md)
install(FILES ${PROJECT_SOURCE_DIR}/slurm/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR}
        RENAME slurm.md)
install(FILES ${PROJECT_SOURCE_DIR}/docs/kdbench.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

set(CPACK_PACKAGE_NAME kdbench)
set(CPACK_PACKAGE_VENDOR "kdbench developers")
set(CPACK_PACKAGE_CONTACT "kdbench developers <kdbench@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "distributed benchmark suite for knowledge distillation (MPI, LibTorch, HDF5)")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_GENERATOR DEB)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
# Run-time libraries (LibTorch, Open MPI, HDF5, Boost) from the binary's ELF dependencies.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Tools kdbench starts at run time: mpirun for jobs, pdflatex/pdftoppm for report.pdf and PNGs.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "openmpi-bin, texlive-latex-recommended, texlive-pictures, poppler-utils")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "dataset-fashion-mnist, slurm-client")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
include(CPack)
