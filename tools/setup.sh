#!/usr/bin/env bash
# Installs what sluice needs to build and test, from Debian packages only.
# Idempotent: asks apt only for packages that are not installed yet.
set -euo pipefail

packages=(
  build-essential g++ cmake ninja-build ccache pkg-config
  clang clang-format tmux python3
  libclang-rt-dev  # libFuzzer (clang -fsanitize=fuzzer), for the fuzz targets
  libgtest-dev libgmock-dev libbenchmark-dev
  libsimdjson-dev nlohmann-json3-dev libedit-dev
  libre2-dev libutf8proc-dev  # regular expressions, Unicode case mapping (src/sql)
  libpq-dev postgresql
  librdkafka-dev  # the kafka sink (src/connectors/kafka/) and its mock cluster for the tests
  libboost1.81-dev  # Boost.Beast/Asio: `sluice serve` (src/server)
  libssl-dev  # OpenSSL under Asio SSL: `sluice serve --tls-cert --tls-key`
  chromium  # headless, for the console page's browser test (tests/integration/console_test.py)
  python3-prometheus-client python3-websockets  # tests/integration/server_test.py
  # The Python package (python/, docs/python.md): its module, tests and benchmark. Debian 12
  # has no python3-pyarrow: the pyarrow cases of python/tests/test_arrow.py skip without it.
  pybind11-dev python3-dev python3-setuptools python3-wheel python3-venv python3-pip
  python3-pytest python3-numpy python3-pandas
  nodejs  # the Nexmark oracle test runs DuckDB from npm (tests/integration/nexmark/)
)
# npm: Debian's package, unless the installed nodejs brings its own (NodeSource's nodejs
# includes npm and conflicts with Debian's npm package).
if ! command -v npm > /dev/null; then
  packages+=(npm)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: need root to install packages (run as root or with sudo)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
