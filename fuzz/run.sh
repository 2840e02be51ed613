#!/usr/bin/env bash
# Runs every fuzz target for a bounded time (default 60 s each), starting
# from the committed corpus. Needs the nightly toolchain; installs
# cargo-fuzz if it is missing.
#   fuzz/run.sh [SECONDS_PER_TARGET]
set -euo pipefail
secs="${1:-60}"
cd "$(dirname "$0")"
if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi
for target in $(cargo +nightly fuzz list); do
    echo "== fuzz $target for ${secs}s"
    mkdir -p "corpus/$target"
    # New inputs go to a scratch directory; the committed corpus stays as it is.
    scratch="$(mktemp -d)"
    # libFuzzer's per-input progress lines are dropped; crashes and stats stay.
    cargo +nightly fuzz run "$target" "$scratch" "corpus/$target" -- \
        -max_total_time="$secs" -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 2>&1 |
        { grep -vE '^#[0-9]+' || true; }
    rm -rf "$scratch"
done
