#!/bin/sh
# Re-verifies a threadkeeper ledger's hash chain with the sqlite3 shell and sha256sum alone
# (the format is in docs/AUDIT.md). Usage: sh audit-verify.sh LEDGER [HEAD]
# Prints "chain intact: N rows, head HASH" (what `threadkeeper audit --verify` prints) and exits
# 0, or names the first bad row and exits 1. With HEAD (a hash kept elsewhere, such as the
# journal's THREADKEEPER_CHAIN_HEAD), also fails unless some row of the chain has that hash.
set -eu
db=$1
want=${2:-}
q() { sqlite3 -readonly -batch -noheader -separator ' ' "$db" "$1"; }
# A text field: the lower-case hex of its bytes, NULL as '-'. An integer: decimal, NULL as '-'.
t() { printf "CASE WHEN %s IS NULL THEN '-' ELSE lower(hex(%s)) END" "$1" "$1"; }
i() { printf "coalesce(%s, '-')" "$1"; }

tmp=${TMPDIR:-/tmp}/audit-verify.$$
trap 'rm -f "$tmp"' EXIT

# Every fact has its chain row.
for missing in \
    "SELECT 'run ' || id FROM runs WHERE id NOT IN (SELECT ref FROM chain WHERE kind = 'run')" \
    "SELECT 'intent of action ' || id FROM actions WHERE id NOT IN (SELECT ref FROM chain WHERE kind = 'intent')" \
    "SELECT 'outcome of action ' || id FROM actions WHERE outcome IS NOT NULL
        AND id NOT IN (SELECT ref FROM chain WHERE kind = 'outcome')" \
    "SELECT 'end of run ' || id FROM runs WHERE (finished_at IS NOT NULL OR status <> 'running')
        AND id NOT IN (SELECT ref FROM chain WHERE kind = 'end')"; do
    fact=$(q "$missing ORDER BY id LIMIT 1")
    if [ -n "$fact" ]; then echo "chain broken at $fact: it has no chain row"; exit 1; fi
done

# Since schema 5 an intent also covers actions.object, when the row has one (NULL before).
object=
if [ "$(q 'PRAGMA user_version')" -ge 5 ]; then object="||CASE WHEN object IS NULL THEN '' ELSE '|'||lower(hex(object)) END"; fi

# Each row as: seq prev_hash hash seq|kind|ref|field|field|... (the line without its first two fields).
fields="CASE c.kind
  WHEN 'run' THEN (SELECT $(t rule)||'|'||$(t rule_digest)||'|'||$(t rule_text)||'|'||$(t trigger)||'|'||$(i dry_run)||'|'||$(i started_at) FROM runs WHERE id = c.ref)
  WHEN 'end' THEN (SELECT $(t status)||'|'||$(i finished_at)||'|'||$(i matched)||'|'||$(i done)||'|'||$(i gone)||'|'||$(i skipped)||'|'||$(i failed) FROM runs WHERE id = c.ref)
  WHEN 'intent' THEN (SELECT $(i run_id)||'|'||$(t thread_id)||'|'||$(t action)||'|'||$(t reason)||'|'||$(i intent_at)$object FROM actions WHERE id = c.ref)
  WHEN 'outcome' THEN (SELECT $(t outcome)||'|'||$(i http_status)||'|'||$(t request_id)||'|'||$(i attempts)||'|'||$(t error)||'|'||$(i settled_at) FROM actions WHERE id = c.ref)
  WHEN 'migration' THEN $(t c.note) END"
prev=0000000000000000000000000000000000000000000000000000000000000000
n=0
found=
q "SELECT c.seq, c.prev_hash, c.hash, c.seq||'|'||c.kind||'|'||c.ref||'|'||($fields) FROM chain AS c ORDER BY c.seq" >"$tmp"
while read -r seq stored_prev stored_hash rest; do
    n=$((n + 1))
    if [ "$seq" != "$n" ]; then echo "chain broken at chain row $n: it is missing"; exit 1; fi
    if [ "$stored_prev" != "$prev" ]; then echo "chain broken at chain row $n: prev_hash does not follow from row $((n - 1))"; exit 1; fi
    prev=$(printf '%s' "threadkeeper-chain-v1|$prev|$rest" | sha256sum)
    prev=${prev%% *}
    if [ "$stored_hash" != "$prev" ]; then echo "chain broken at chain row $n: hash does not match the row it covers"; exit 1; fi
    if [ "$prev" = "$want" ]; then found=$n; fi
done <"$tmp"
if [ -n "$want" ] && [ -z "$found" ]; then echo "head $want is not in the chain (it ends at row $n): rows were cut or rewritten"; exit 1; fi
echo "chain intact: $n rows, head $prev"
