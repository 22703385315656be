# DuckDB from npm (@duckdb/node-api), for the tests that check sluice against it (sourced by
# nexmark/oracle.sh and adhoc_oracle/oracle.sh).
#
#   install_duckdb WORK_DIR
#
# Installs the package under WORK_DIR (once), or exits 77 (ctest SKIP) with the reason when
# node, npm or the registry is unavailable: such a test never passes without its oracle.

DUCKDB_NPM_PACKAGE=@duckdb/node-api@1.5.6-r.1

skip() { echo "SKIPPED: $*"; exit 77; }

install_duckdb() {  # WORK_DIR
  local work=$1
  command -v node > /dev/null || skip "node is not installed (tools/setup.sh installs nodejs)"
  command -v npm > /dev/null || skip "npm is not installed (tools/setup.sh installs it)"
  if [ ! -d "$work/node_modules/@duckdb/node-api" ]; then
    echo "installing $DUCKDB_NPM_PACKAGE under $work"
    if ! (cd "$work" && timeout 240 npm install --silent --no-audit --no-fund \
            "$DUCKDB_NPM_PACKAGE" > npm.log 2>&1); then
      tail -5 "$work/npm.log"
      skip "npm could not install @duckdb/node-api (offline registry?); see $work/npm.log"
    fi
  fi
}
