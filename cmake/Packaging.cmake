# cmake --install rules and the Debian package (cpack -G DEB in the build
# folder, or the `package` target): werkstatt_<version>_amd64.deb with
#   /usr/bin/werkstatt
#   /usr/share/werkstatt/web/…          the built web client (client-web/dist)
#   /lib/systemd/system/werkstatt.service
#   /etc/werkstatt/werkstatt.toml        (a conffile)
#   /var/lib/werkstatt                   the journal's folder
#   /usr/share/doc/werkstatt/README.md
# The web client must be built first (cd client-web && npm ci && npm run build).
include(GNUInstallDirs)

install(TARGETS werkstatt RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
set(WERKSTATT_WEB_DIST ${PROJECT_SOURCE_DIR}/client-web/dist)
install(DIRECTORY ${WERKSTATT_WEB_DIST}/ DESTINATION ${CMAKE_INSTALL_DATADIR}/werkstatt/web OPTIONAL)
install(FILES deploy/werkstatt.service DESTINATION lib/systemd/system)
install(FILES deploy/werkstatt.toml DESTINATION /etc/werkstatt)  # absolute: Debian policy, whatever the prefix
install(DIRECTORY DESTINATION /var/lib/werkstatt)
install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME werkstatt)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "werkstatt maintainers <werkstatt@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # werkstatt_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION web)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)   # Depends: from the binary's libraries (dpkg-shlibdeps)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, tzdata")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${PROJECT_SOURCE_DIR}/deploy/debian/postinst
  ${PROJECT_SOURCE_DIR}/deploy/debian/prerm
  ${PROJECT_SOURCE_DIR}/deploy/debian/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
