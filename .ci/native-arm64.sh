#!/bin/sh
# Cross-builds libthimble and its C tests for arm64 and runs them under qemu-user (NEON tier).
#   .ci/native-arm64.sh [build-dir]        (default: build-arm64 under the repository root)
# Installs gcc-aarch64-linux-gnu and qemu-user when missing (needs root for that).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build-arm64}

if ! command -v aarch64-linux-gnu-gcc >/dev/null 2>&1 || ! command -v qemu-aarch64 >/dev/null 2>&1; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "native-arm64: install gcc-aarch64-linux-gnu and qemu-user (needs root)" >&2
        exit 1
    fi
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y gcc-aarch64-linux-gnu qemu-user
fi

cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_TOOLCHAIN_FILE="$ROOT/kernels-native/cmake/aarch64-linux-gnu.cmake" \
    "-DCMAKE_CROSSCOMPILING_EMULATOR=qemu-aarch64;-L;/usr/aarch64-linux-gnu"
cmake --build "$BUILD" --parallel 2
ctest --test-dir "$BUILD" --output-on-failure
