#!/usr/bin/env bash
# Runs the whole test suite: unit tests, integration tests against a real
# server and a throwaway PostgreSQL cluster, and the OpenAPI lint, all under
# AddressSanitizer + UndefinedBehaviorSanitizer. Exits non-zero on any failure.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# clang and libclang-rt-14-dev (libFuzzer, with clang 14's sanitizers) build
# the fuzz harnesses of tests/fuzz; libvips-tools (the vips command) makes
# the test images and is the image benchmark's ceiling; nginx runs in front
# of three instances in test_cluster.py (docker/nginx/merchantd.conf);
# chromium (Debian's) runs the web console's browser tests through
# playwright-core; fonts-noto-cjk draws their Chinese in the screenshots.
install_deps clang libclang-rt-14-dev libvips-tools nginx chromium fonts-noto-cjk
# Warnings are errors here, with both compilers: a release build with gcc
# (-O3 finds what -O0 cannot, format truncation say) that is only compiled,
# and the sanitizer build with clang that the suite runs.
build "$REPO/build-release" -DCMAKE_BUILD_TYPE=Release -DWERROR=ON -DBUILD_TESTING=ON
build "$REPO/build-test" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug -DSANITIZE=ON \
  -DWERROR=ON -DBUILD_TESTING=ON
# The libFuzzer harnesses need clang; their short runs follow the suite.
build "$REPO/build-fuzz" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSANITIZE=ON \
  -DWERROR=ON -DFUZZ=ON -DBUILD_TESTING=OFF

install_node_tools
build_console

pgdir=$(mktemp -d /tmp/merchantd-test-pg.XXXXXX)
pgport=$(free_port)
cleanup() { pg_stop "$pgdir"; rm -rf "$pgdir"; }
trap cleanup EXIT
say "starting a throwaway PostgreSQL on port $pgport"
# Durability is irrelevant for a throwaway cluster; speed is not.
pg_start "$pgdir" "$pgport" fsync=off synchronous_commit=off full_page_writes=off max_connections=300

export TEST_PG_URL="postgresql://postgres@127.0.0.1:$pgport"
export PG_BIN
# Leaks are errors; sanitizer reports make the server exit non-zero.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

say "running the test suite"
cd "$REPO/build-test"
ctest --output-on-failure -j2 --timeout 600 "$@"

say "fuzzing each harness briefly (tests/fuzz)"
cd "$REPO/build-fuzz"
# Each harness's RELIABILITY line is kept in tests/fuzz/reliability/.
ctest --output-on-failure -j2 --timeout 600 "$@"
