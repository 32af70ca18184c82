# Sourced by ./amused, ./test and .ci/run: points JAVA_HOME at a JDK 25 (the machines' default java is 17).
# An explicit JAVA_HOME that already is 25+ wins.
amused_java_version() { "$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1; }
if [ -z "${JAVA_HOME:-}" ] || [ "$(amused_java_version "$JAVA_HOME")" -lt 25 ] 2>/dev/null; then
  for candidate in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-25* /usr/lib/jvm/java-25* /usr/lib/jvm/jdk-25* /opt/java/openjdk /opt/jdk-25*; do
    if [ -x "$candidate/bin/java" ] && [ "$(amused_java_version "$candidate")" -ge 25 ] 2>/dev/null; then
      export JAVA_HOME="$candidate"
      break
    fi
  done
fi
if [ -z "${JAVA_HOME:-}" ] || [ "$(amused_java_version "$JAVA_HOME")" -lt 25 ] 2>/dev/null; then
  echo "amused4j needs JDK 25: install Temurin 25 or set JAVA_HOME to a JDK 25" >&2
  exit 1
fi
export PATH="$JAVA_HOME/bin:$PATH"
