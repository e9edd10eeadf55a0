# Sourced by bin/trustsync and .ci/run: exports JAVA_HOME pointing at a JDK 21 or newer.
# Looks at $JAVA_HOME, then every JDK under /usr/lib/jvm (newest first), then `java` on PATH.

_trustsync_java_version() {
  # Prints the feature version (17, 21, 25...) of the java binary given, or nothing. Every JDK 9+
  # has a release file; reading it saves starting a JVM on every bin/trustsync run.
  local release
  release="$(dirname "$(dirname "$1")")/release"
  if [[ -f "$release" ]] && grep -q '^JAVA_VERSION="[0-9]' "$release"; then
    sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release" | head -1
    return
  fi
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -1
}

_trustsync_find_jdk() {
  local candidate version
  local candidates=()
  [[ -n "${JAVA_HOME:-}" ]] && candidates+=("$JAVA_HOME")
  if [[ -d /usr/lib/jvm ]]; then
    while IFS= read -r dir; do candidates+=("$dir"); done < <(ls -d /usr/lib/jvm/*/ 2>/dev/null | sed 's:/$::' | sort -rV)
  fi
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  for candidate in "${candidates[@]}"; do
    [[ -x "$candidate/bin/java" && -x "$candidate/bin/javac" ]] || continue
    version="$(_trustsync_java_version "$candidate/bin/java")"
    if [[ -n "$version" && "$version" -ge 21 ]]; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

if ! TRUSTSYNC_JDK="$(_trustsync_find_jdk)"; then
  echo "trustsync: no JDK 21 or newer found." >&2
  echo "  Looked at \$JAVA_HOME (${JAVA_HOME:-unset}), /usr/lib/jvm/* and the java on PATH." >&2
  echo "  Install one (e.g. 'apt-get install openjdk-21-jdk-headless' or a Temurin 21/25 JDK) or set JAVA_HOME to it." >&2
  return 1 2>/dev/null || exit 1
fi
export JAVA_HOME="$TRUSTSYNC_JDK"
