# Shared helpers for scripts/*.sh. Source it; do not execute it.
# shellcheck shell=bash

# Colours only on a terminal and when NO_COLOR is unset.
if [[ -t 1 && -z "${NO_COLOR:-}" ]]; then
  _c_bold=$'\033[1m'; _c_red=$'\033[31m'; _c_green=$'\033[32m'; _c_yellow=$'\033[33m'; _c_off=$'\033[0m'
else
  _c_bold=''; _c_red=''; _c_green=''; _c_yellow=''; _c_off=''
fi

step()  { printf '%s==> %s%s\n' "$_c_bold" "$*" "$_c_off"; }
info()  { printf '    %s\n' "$*"; }
ok()    { printf '    %sok%s %s\n' "$_c_green" "$_c_off" "$*"; }
warn()  { printf '%swarning:%s %s\n' "$_c_yellow" "$_c_off" "$*" >&2; }
die()   { printf '%serror:%s %s\n' "$_c_red" "$_c_off" "$*" >&2; exit 1; }

# Absolute path of the repository root (parent of scripts/).
repo_root() { (cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd); }

# Seconds since an epoch timestamp, formatted as "1m23s" / "4s".
elapsed() {
  local s=$(( $(date +%s) - $1 ))
  if (( s >= 60 )); then printf '%dm%02ds' $((s / 60)) $((s % 60)); else printf '%ds' "$s"; fi
}
