#!/usr/bin/env bash
# Assembles the file tree under the operator image's application layers, from what these machines
# reach (no container registry): a Java runtime made with jlink from the build's JDK 25, the C
# library from Debian's libc6 package, and the few files a non-root process needs. The image
# module's Jib build adds this tree to a scratch image. Run by the Maven build (image/pom.xml).
#   scripts/image-base.sh OUT_DIR
set -euo pipefail
OUT="${1:?usage: $0 OUT_DIR}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
say() { printf '[image-base] %s\n' "$*" >&2; }
# shellcheck source=java-home.sh
source "$ROOT/scripts/java-home.sh"
if [[ "$(_trustsync_java_version "$JAVA_HOME/bin/java")" -lt 25 ]]; then
  say "ERROR: the image's runtime is made with jlink from a JDK 25 (found $JAVA_HOME); set JAVA_HOME to one"
  exit 1
fi
command -v dpkg-deb >/dev/null 2>&1 || { say "ERROR: dpkg-deb is needed to unpack Debian's libc6 package"; exit 1; }

# The modules the operator and the command line use (jdeps --print-module-deps over cli/target/lib,
# plus java.logging and java.management that those require at run time). The image test runs the
# operator against a real API server and a real Git server over HTTPS, so a missing module fails it.
MODULES=java.base,java.compiler,java.desktop,java.logging,java.management,java.naming,java.net.http,java.rmi,java.security.jgss,java.sql,jdk.management,jdk.unsupported

STAGE="$OUT.tmp"
rm -rf "$STAGE" "$OUT"
mkdir -p "$STAGE/opt"
# No --compress: the layer is gzipped anyway, and an uncompressed modules file loads faster. No
# --generate-cds-archive: the archive it writes differs from build to build (the image would not be
# reproducible), for 20 ms off `--version` and 0.3 s off the operator's start (bench image, measured).
"$JAVA_HOME/bin/jlink" --add-modules "$MODULES" --strip-debug --no-man-pages --no-header-files \
  --output "$STAGE/opt/java"
rm -rf "$STAGE/opt/java/legal" # the notices stay in the release metadata; a runtime does not read them

# The C library and its built-in UTF-8 locale, exactly as Debian ships them (libc6, libc-bin). A
# cached package is reused, so that rebuilding gives the same layer; each is fetched once per
# machine (or when Debian publishes a new one).
CACHE="${TRUSTSYNC_DEB_CACHE:-$HOME/.cache/trustsync/debs}"
mkdir -p "$CACHE"
package() {
  local deb
  deb="$(ls "$CACHE"/"$1"_*_amd64.deb 2>/dev/null | sort | tail -1 || true)"
  if [[ -z "$deb" ]]; then
    say "downloading Debian's $1 package"
    (cd "$CACHE" && apt-get download "$1" >/dev/null 2>&1) || { say "ERROR: apt-get download $1 failed"; exit 1; }
    deb="$(ls "$CACHE"/"$1"_*_amd64.deb | sort | tail -1)"
  fi
  echo "$deb"
}
libc6="$(package libc6)"
libcbin="$(package libc-bin)"
dpkg-deb -x "$libc6" "$STAGE/libc"
dpkg-deb -x "$libcbin" "$STAGE/libc-bin"
# Only the shared libraries and the loader: no gconv modules, documentation or tools.
mkdir -p "$STAGE/lib/x86_64-linux-gnu" "$STAGE/lib64"
for lib in ld-linux-x86-64.so.2 libc.so.6 libm.so.6 libdl.so.2 libpthread.so.0 librt.so.1 libresolv.so.2 \
           libnss_files.so.2 libnss_dns.so.2; do
  src="$(find "$STAGE/libc" -name "$lib" \( -type f -o -type l \) | head -1)"
  [[ -n "$src" ]] || { say "ERROR: $lib is not in $(basename "$libc6")"; exit 1; }
  cp -L "$src" "$STAGE/lib/x86_64-linux-gnu/$lib"
done
# The kernel starts the JVM through the loader's path in the ELF header; a copy, not a symlink,
# because image layers built here carry no symlinks.
cp "$STAGE/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2" "$STAGE/lib64/ld-linux-x86-64.so.2"
# C.UTF-8 (LANG in the image): file names and the command line's output are UTF-8.
mkdir -p "$STAGE/usr/lib/locale"
cp -r "$STAGE/libc-bin/usr/lib/locale/C.utf8" "$STAGE/usr/lib/locale/"
version="$(dpkg-deb -f "$libc6" Version)"
rm -rf "$STAGE/libc" "$STAGE/libc-bin" "$STAGE/debs"

# A non-root user (the Deployment runs as 65532), name resolution from /etc/hosts then DNS, and a
# /tmp for runs without the Deployment's emptyDir.
mkdir -p "$STAGE/etc" "$STAGE/tmp" "$STAGE/home/nonroot"
cat >"$STAGE/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin
EOF
cat >"$STAGE/etc/group" <<'EOF'
root:x:0:
nobody:x:65534:
nonroot:x:65532:
EOF
printf 'hosts: files dns\n' >"$STAGE/etc/nsswitch.conf"
{
  echo "java=$("$JAVA_HOME/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.runtime.version = //p')"
  echo "java.modules=$MODULES"
  echo "libc6=$version"
} >"$STAGE/opt/trustsync-base.txt"
mv "$STAGE" "$OUT"
say "ready: $(du -sh "$OUT" | cut -f1) (Java $(sed -n 's/^java=//p' "$OUT/opt/trustsync-base.txt"), libc6 $version)"
