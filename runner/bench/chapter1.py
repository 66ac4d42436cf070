"""Chapter 1's steps as the Python original took them, with redis-py.

The yardstick for the Go walk (see compare.sh): the same word list, the
same commands one round trip at a time, on the same server. It refuses a
database that holds keys, and deletes the keys it made before it ends.

    /usr/bin/python3 runner/bench/chapter1.py redis://127.0.0.1:6379/15 chapters/american-english

Prints one line: the seconds the steps took, and how many commands.
"""

import json
import sys
import time

import redis


def iterate_words(filename):
    for line in open(filename):
        for word in line.split():
            yield word.strip()


def signature(word):
    return "".join(sorted(word))


def main(url, words_file):
    start = time.perf_counter()
    r = redis.Redis.from_url(url)
    if r.dbsize():
        sys.exit(f"{url} holds keys: name an empty database")

    # Strings and numbers.
    r.ping()
    r.set("key", "value")
    r.get("key")
    r.get("no-such-key")
    r.set("x", 5)
    r.incr("x")
    int(r.get("x")) * 10
    r.mset(dict(x=5, y="string", z=1.23))
    r.mget("x", "y", "z")

    # JSON.
    t = [1, 2, 3]
    s = json.dumps(t)
    r.set("t", s)
    json.loads(r.get("t"))
    r.delete("t")

    # Lists.
    r.rpush("t", 1, 2, 3)
    r.type("t")
    r.llen("t")
    r.lrange("t", 0, -1)
    r.rpop("t")
    r.lpush("t", -3, -2, -1)
    r.lrange("t", 0, -1)
    r.lpop("t")

    # Hashes.
    r.hset("h", "field", "value")
    r.hget("h", "field")
    r.hset("h", mapping=dict(a=1, b=2, c=3))
    for field, value in r.hscan_iter("h"):
        pass
    for key in r.keys():
        r.delete(key)

    # Anagrams in Python.
    anagram_dict = {}
    for word in iterate_words(words_file):
        anagram_dict.setdefault(signature(word), []).append(word)
    big = [v for v in anagram_dict.values() if len(v) >= 6]

    # One RPUSH per word.
    for word in iterate_words(words_file):
        r.rpush(f"Anagram:{signature(word)}", word)
    keys = r.keys("Anagram*")
    r.llen("Anagram:aerst")
    r.lrange("Anagram:aerst", 0, -1)
    r.delete(*keys)

    # One HSET per group.
    hash_key = "AnagramHash"
    for field, t in anagram_dict.items():
        r.hset(hash_key, field, json.dumps(t))
    r.hlen(hash_key)
    r.hget(hash_key, "aerst")
    r.delete(hash_key)

    # One HSET of every group.
    r.hset(hash_key, mapping={k: json.dumps(v) for k, v in anagram_dict.items()})
    r.hget(hash_key, "aerst")
    r.delete(hash_key)

    elapsed = time.perf_counter() - start
    print(f"python: {elapsed:.3f} s, {len(big)} groups of 6 or more, {len(keys)} lists")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
