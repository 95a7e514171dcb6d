#!/usr/bin/env bash
# bash_complete.sh SCRIPT framework|standalone WORD... - prints what the bash
# completion SCRIPT offers for the command line WORD... (the last word is the
# one being completed, '' for a new one), one match per line.
#
# The words are given as readline splits them (COMP_WORDBREAKS: "--opt=val"
# is "--opt" "=" "val").  With `framework`, bash-completion is loaded first,
# as in an interactive shell; `standalone` checks the script's own fallback.
script=$1 mode=$2
shift 2
if [ "$mode" = framework ]; then
    # shellcheck disable=SC1091
    source /usr/share/bash-completion/bash_completion || exit 2
fi
# shellcheck disable=SC1090
source "$script" || exit 2
COMP_WORDS=("$@")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
COMP_LINE=''
prev=''
for w in "$@"; do # no blank around '=': it is a word break, not a separator
    if [ -z "$COMP_LINE" ]; then
        COMP_LINE=$w
    elif [ "$w" = = ] || [ "$prev" = = ]; then
        COMP_LINE+=$w
    else
        COMP_LINE+=" $w"
    fi
    prev=$w
done
COMP_POINT=${#COMP_LINE}
COMPREPLY=()
complete_fn=$(complete -p tasklint | sed -n 's/.*-F \([^ ]*\) .*/\1/p')
"$complete_fn" tasklint "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
[ ${#COMPREPLY[@]} -gt 0 ] && printf '%s\n' "${COMPREPLY[@]}" | sort -u
exit 0
