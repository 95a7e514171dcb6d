#!/usr/bin/env zsh
# zsh_complete.zsh FPATH_DIR LINE - prints what zsh's completion system offers
# for LINE (the cursor at its end), one match per line.
#
# An interactive `zsh -f` runs in a pseudo terminal (zpty) with FPATH_DIR first
# in $fpath and compinit loaded; compadd is wrapped so that every match offered
# is appended to a file; then LINE and a Tab are typed.  Exit 2 when zsh does
# not finish completing within 20 s.
emulate -L zsh
zmodload zsh/zpty || { print -u2 "zsh/zpty is missing"; exit 2 }
local dir=$1 line=$2
local tmp=$(mktemp -d)
trap 'zpty -d tl 2>/dev/null; rm -rf $tmp' EXIT
local out=$tmp/matches done=$tmp/done

cat >$tmp/init.zsh <<INIT
PS1= RPS1=
fpath=(${(q)dir} \$fpath)
autoload -Uz compinit && compinit -u -D
bindkey '^I' complete-word
zstyle ':completion:*' insert-tab false
compadd() {
  # a call that only fills an array (-O -A -D) offers nothing itself
  if [[ \${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then
    builtin compadd "\$@"
    return
  fi
  local -a matches
  builtin compadd -A matches "\$@"
  (( \$#matches )) && print -rl -- \$matches >>${(q)out}
  builtin compadd "\$@"
}
comppostfuncs=(tl_done)
tl_done() { : >${(q)done} }
INIT

zpty tl zsh -f -i
zpty -w tl "source ${(q)tmp}/init.zsh"
zpty -w -n tl "$line"$'\t'
local i junk
for i in {1..200}; do
  [[ -e $done ]] && break
  zpty -r -t tl junk 2>/dev/null
  sleep 0.1
done
[[ -e $done ]] || { print -u2 "zsh did not complete '$line'"; exit 2 }
[[ -e $out ]] && sort -u $out
exit 0
