#!/usr/bin/env bash
# Chapter 1 against its Python original, on one Redis server: the Python
# steps (chapter1.py, redis-py, one command per round trip), the Go walk on
# that server (guard included), and the Go walk on the embedded miniredis.
# Runs each ROUNDS times (default 3), alternated so that a busy machine
# slows all of them alike, and prints the best of each and the ratios,
# with the goals of issue 17: the walk on the server at least 1.2x faster
# than Python there, the embedded walk at least 10x.
#
#   REDIS_URL=redis://127.0.0.1:6379/15 bash runner/bench/compare.sh
#
# Needs /usr/bin/python3 with redis-py (Debian: python3-redis) and an empty
# database at REDIS_URL (15 when it names none). A tool, not a test.
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${REDIS_URL:?set REDIS_URL to a Redis server with an empty database}"
rounds=${ROUNDS:-3}
python=${PYTHON:-/usr/bin/python3}
"$python" -c 'import redis' 2>/dev/null || { echo "$python has no redis-py (apt-get install python3-redis)"; exit 2; }

url=$REDIS_URL
if [[ ! $url =~ /[0-9]+$ ]]; then url="${url%/}/15"; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/runner" ./runner
# Warm: both walks' programs built and cached, the word list in the page cache.
REDIS_URL= "$tmp/runner" walk redis > /dev/null
"$tmp/runner" walk redis --redis "$url" > /dev/null

now() { date +%s%N; }
best() { sort -n | head -n 1; }
for i in $(seq "$rounds"); do
  t=$(now); "$python" runner/bench/chapter1.py "$url" chapters/american-english > "$tmp/py.out"; echo $(($(now) - t)) >> "$tmp/py"
  t=$(now); "$tmp/runner" walk redis --redis "$url" > "$tmp/real.out"; echo $(($(now) - t)) >> "$tmp/real"
  t=$(now); REDIS_URL= "$tmp/runner" walk redis > "$tmp/embedded.out"; echo $(($(now) - t)) >> "$tmp/embedded"
  printf 'round %d: python %.2f s, walk on the server %.2f s, walk embedded %.2f s\n' "$i" \
    "$(tail -n 1 "$tmp/py" | awk '{print $1/1e9}')" "$(tail -n 1 "$tmp/real" | awk '{print $1/1e9}')" \
    "$(tail -n 1 "$tmp/embedded" | awk '{print $1/1e9}')"
done
py=$(best < "$tmp/py") real=$(best < "$tmp/real") embedded=$(best < "$tmp/embedded")
awk -v py="$py" -v real="$real" -v emb="$embedded" -v rounds="$rounds" 'BEGIN {
  printf "best of %d: python %.2f s, walk on the server %.2f s, walk embedded %.2f s\n", rounds, py/1e9, real/1e9, emb/1e9
  printf "walk on the server: %.2fx faster than python (goal: 1.2x) %s\n", py/real, (py/real >= 1.2 ? "ok" : "MISSED")
  printf "walk embedded:      %.2fx faster than python on the server (goal: 10x) %s\n", py/emb, (py/emb >= 10 ? "ok" : "MISSED")
}'
