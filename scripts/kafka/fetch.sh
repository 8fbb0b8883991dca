#!/usr/bin/env bash
# The test Kafka broker's jars (scripts/services.sh starts it): Maven copies kafka_2.13 and what it
# needs (scripts/kafka/pom.xml) into a machine-wide cache named after the pom's content, once.
#
#   scripts/kafka/fetch.sh          fetch them if missing; prints nothing else on success
#   scripts/kafka/fetch.sh --dir    print the directory they are (or will be) in
#
# Overridable: GWDEPLOY_KAFKA_CACHE (default /var/cache/gwdeploy-kafka).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
POM="$HERE/pom.xml"
CACHE="${GWDEPLOY_KAFKA_CACHE:-/var/cache/gwdeploy-kafka}"
LIBS="$CACHE/$(sha256sum "$POM" | cut -c1-16)/libs"

if [[ "${1:-}" == --dir ]]; then
  echo "$LIBS"
  exit 0
fi
[[ -f "$LIBS/.complete" ]] && exit 0
command -v mvn >/dev/null || {
  echo "mvn not installed (apt-get install maven)" >&2
  exit 1
}
rm -rf "$LIBS.tmp"
mkdir -p "$LIBS.tmp"
if ! timeout 900 mvn -B -q -f "$POM" dependency:copy-dependencies -DoutputDirectory="$LIBS.tmp" \
  >"$CACHE/mvn.log" 2>&1; then
  tail -n 40 "$CACHE/mvn.log" >&2
  echo "mvn could not fetch the Kafka jars (log: $CACHE/mvn.log)" >&2
  exit 1
fi
compgen -G "$LIBS.tmp/kafka_2.13-*.jar" >/dev/null || {
  echo "mvn finished but left no kafka_2.13 jar in $LIBS.tmp" >&2
  exit 1
}
touch "$LIBS.tmp/.complete"
rm -rf "$LIBS"
mv "$LIBS.tmp" "$LIBS"
