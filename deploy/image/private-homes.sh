#!/usr/bin/env bash
# Make every home private (0700) on a shared school server, now and for accounts made later:
# with Debian's default (0755) any student can read a classmate's answers in progress.
# install.sh --private-homes runs it; safe to run again.
#
#   deploy/image/private-homes.sh [--login-defs FILE] [--homes DIR]
#
#   --login-defs  where useradd reads HOME_MODE (default: /etc/login.defs)
#   --homes       the folder that holds the homes (default: /home)
set -euo pipefail

LOGIN_DEFS=/etc/login.defs
HOMES=/home
die() { echo "private-homes.sh: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --login-defs) LOGIN_DEFS="${2:?--login-defs needs a value}"; shift 2 ;;
    --homes) HOMES="${2:?--homes needs a value}"; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
[ -f "$LOGIN_DEFS" ] || die "no $LOGIN_DEFS: is this Debian or Ubuntu?"

# later accounts: useradd --create-home reads HOME_MODE (one active line, ours)
if grep -qE '^[[:space:]]*HOME_MODE[[:space:]]+0700[[:space:]]*$' "$LOGIN_DEFS"; then
  :
else
  sed -i -E 's/^([[:space:]]*HOME_MODE[[:space:]])/#\1/' "$LOGIN_DEFS"
  printf '\n# Manabu: homes only their owner may enter (deploy/image/private-homes.sh)\nHOME_MODE\t0700\n' >> "$LOGIN_DEFS"
fi
# existing accounts
if [ -d "$HOMES" ]; then
  find "$HOMES" -mindepth 1 -maxdepth 1 -type d -perm /077 -print -exec chmod go-rwx {} + \
    | sed 's/^/private now: /'
fi
echo "Homes in $HOMES are private (0700); new accounts get HOME_MODE 0700 from $LOGIN_DEFS."
