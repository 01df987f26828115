#!/usr/bin/env bash
# tests/fuzz/compile_corpus.sh CORPUS: the other half of `make fuzz`.  The
# fuzz target runs the back ends but cannot compile what they print; here
# every input of the corpus that `wellosc gen` accepts must give C that
# compiles with -Werror.  A failing input is copied next to the corpus as
# gen-fail-<name>, with the compiler's message.  Exit 1 on any.
set -u
cd "$(dirname "$0")/../.."
corpus=${1:?usage: compile_corpus.sh CORPUS}
CC=${CC:-cc}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
inputs=0 generated=0 failed=0
for f in "$corpus"/*; do
    inputs=$((inputs + 1))
    rm -rf "$out/gen" && mkdir "$out/gen"
    ./wellosc gen -o "$out/gen" "$f" >/dev/null 2>&1 || continue
    generated=$((generated + 1))
    for c in "$out"/gen/*.c; do
        if ! $CC -std=c11 -Wall -Wextra -Werror -Iruntime -I"$out/gen" -fsyntax-only "$c" >"$out/err" 2>&1; then
            failed=$((failed + 1))
            keep=$(dirname "$corpus")/gen-fail-$(basename "$f")
            cp "$f" "$keep" && cp "$out/err" "$keep.err"
            echo "compile_corpus: $(basename "$c") from $f does not compile: $(grep -m1 'error' "$out/err")" >&2
            break
        fi
    done
done
echo "compile_corpus: $inputs inputs, $generated generated, $failed whose C does not compile"
[ "$failed" -eq 0 ]
