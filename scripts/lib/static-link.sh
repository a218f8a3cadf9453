# Sourced by scripts/build-release and scripts/package-deb: the link of the shipped binaries.
# Static Swift runtime, non-PIE (no load-time relocation of the runtime's data: about 3 MiB less
# resident memory per process), libstdc++ and libgcc linked statically (the shared libstdc++ runs
# its own start-up code and relocations: about 1 MiB resident in every process, for the ~20
# functions the Swift runtime uses). Sets `static_flags` (swift build arguments, without -c).
#
# The toolchain's static-stdlib resource directory is overlaid in .build/static-libstdcxx, except
# that its link line takes libstdc++.a instead of libstdc++.so (swiftc puts -lstdc++ before any
# flag we could pass).
static_link_setup() {
  local resource_dir toolchain_static overlay entry
  resource_dir="$(swiftc -print-target-info | sed -n 's/.*"runtimeResourcePath": "\(.*\)".*/\1/p')"
  toolchain_static="$(dirname "$resource_dir")/swift_static"
  [ -f "$toolchain_static/linux/static-stdlib-args.lnk" ] || { echo "$0: no $toolchain_static/linux/static-stdlib-args.lnk" >&2; return 1; }
  overlay=".build/static-libstdcxx"
  rm -rf "$overlay" && mkdir -p "$overlay/linux"
  for entry in "$toolchain_static"/*; do [ "$(basename "$entry")" = linux ] || ln -s "$entry" "$overlay/"; done
  for entry in "$toolchain_static"/linux/*; do ln -s "$entry" "$overlay/linux/"; done
  rm "$overlay/linux/static-stdlib-args.lnk"
  sed 's/^-lstdc++$/-l:libstdc++.a/' "$toolchain_static/linux/static-stdlib-args.lnk" > "$overlay/linux/static-stdlib-args.lnk"
  grep -q -- '-l:libstdc++.a' "$overlay/linux/static-stdlib-args.lnk" || { echo "$0: cannot find -lstdc++ in the toolchain's static-stdlib-args.lnk" >&2; return 1; }
  static_flags=(--static-swift-stdlib -Xswiftc -resource-dir -Xswiftc "$PWD/$overlay"
                -Xswiftc -Xclang-linker -Xswiftc -no-pie -Xswiftc -Xclang-linker -Xswiftc -static-libgcc)
}
