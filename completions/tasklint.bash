# bash completion for tasklint                             -*- shell-script -*-
#
# Installed as share/bash-completion/completions/tasklint, where
# bash-completion loads it the first time `tasklint` is completed; it also
# works when sourced on its own.  Completes the options (the same list as
# `tasklint --help`; tests/completion checks that), option values, the
# subcommands and their arguments, C files and directories.  Rule ids come
# from `tasklint --list-rules` of the tasklint being completed, so they always
# match the installed binary.

_tasklint_options=(-p -j -q -v -o -h
    --no-compdb --enable --disable --profile --config --no-config --models --show-config
    --exclude --jobs --color --quiet --verbose --statistics --format --output
    --include-suppressed --db --no-db --no-shared-headers --baseline --baseline-commit --fail-on --name --run
    --html --keep-runs --keep-trend
    --list-rules --explain --version --help)
_tasklint_commands=(check runs diff baseline triage summarize link report gc lsp)

# The rule ids, one per line.  $1: the tasklint to ask.
_tasklint_rules() {
    "$1" --list-rules 2>/dev/null | while IFS=' ' read -r id _; do printf '%s\n' "$id"; done
}

_tasklint() {
    local cur prev words cword split=false
    if declare -F _init_completion >/dev/null 2>&1; then
        _init_completion -s || return
    else
        # without bash-completion: undo the split of --opt=value at '='
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=${COMP_WORDS[COMP_CWORD - 1]}
        if [[ $cur == = && $prev == --* ]]; then
            cur='' split=true
        elif [[ $prev == = && $cword -ge 2 ]]; then
            prev=${COMP_WORDS[COMP_CWORD - 2]} split=true
        elif [[ $cur == --*=* ]]; then
            prev=${cur%%=*} cur=${cur#*=} split=true
        fi
    fi
    local tl=${words[0]:-tasklint}
    local IFS=$'\n'

    # the value of an option
    case $prev in
        --enable | --disable)
            # a comma-separated list: complete its last element
            local done_part='' item
            [[ $cur == *,* ]] && done_part=${cur%,*},
            COMPREPLY=()
            for item in $(_tasklint_rules "$tl") all; do
                [[ ,$done_part == *,"$item",* ]] && continue # listed already
                [[ $item == "${cur##*,}"* ]] && COMPREPLY+=("$done_part$item")
            done
            compopt -o nospace 2>/dev/null
            return
            ;;
        --explain)
            COMPREPLY=($(compgen -W "$(_tasklint_rules "$tl")" -- "$cur"))
            return
            ;;
        --profile) COMPREPLY=($(compgen -W $'default\nstrict' -- "$cur")); return ;;
        --color | --colour) COMPREPLY=($(compgen -W $'auto\nalways\nnever' -- "$cur")); return ;;
        --format) COMPREPLY=($(compgen -W $'text\njson\nsarif\ngithub\ncodeclimate' -- "$cur")); return ;;
        --fail-on) COMPREPLY=($(compgen -W $'new\nany\nnone' -- "$cur")); return ;;
        --keep-trend) COMPREPLY=($(compgen -W $'day\nweek\nnone' -- "$cur")); return ;;
        --html)
            COMPREPLY=($(compgen -d -- "$cur"))
            compopt -o filenames 2>/dev/null
            return
            ;;
        -j | --jobs)
            COMPREPLY=($(compgen -W "$(seq 1 "$(nproc 2>/dev/null || echo 4)")" -- "$cur"))
            return
            ;;
        -p)
            # a build directory, or the compile_commands.json itself
            COMPREPLY=($(compgen -d -- "$cur") $(compgen -f -X '!*.json' -- "$cur"))
            compopt -o filenames 2>/dev/null
            return
            ;;
        --config | --models | --exclude | --output | -o | --db | --baseline)
            COMPREPLY=($(compgen -f -- "$cur"))
            compopt -o filenames 2>/dev/null
            return
            ;;
        --baseline-commit)
            COMPREPLY=($(compgen -W "$(git for-each-ref --format='%(refname:short)' 2>/dev/null)
HEAD" -- "$cur"))
            return
            ;;
        --name | --run | --keep-runs) return ;;
    esac
    $split && return

    # the words before this one: the subcommand, and whether "--" was seen
    local i command='' after_dashdash=false
    local -a args=() # the subcommand's arguments so far
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
            --) after_dashdash=true ;;
            -p | -j | -o | --enable | --disable | --profile | --config | --models | --exclude | --jobs | \
                --color | --colour | --format | --output | --db | --baseline | \
                --baseline-commit | --fail-on | --name | --run | --explain | --html | --keep-runs | \
                --keep-trend)
                # skip the option's value (split off at '=' without bash-completion)
                if [[ ${words[i + 1]-} == = ]]; then ((i += 2)); else ((i++)); fi ;;
            -*) ;;
            *)
                if [[ -z $command ]] && [[ $'\n'"${_tasklint_commands[*]}"$'\n' == *$'\n'"${words[i]}"$'\n'* ]]; then
                    command=${words[i]}
                elif [[ -z $command ]]; then
                    command=analyze
                else
                    args+=("${words[i]}")
                fi
                ;;
        esac
    done
    if $after_dashdash; then # compiler arguments: files
        COMPREPLY=($(compgen -f -- "$cur"))
        compopt -o filenames 2>/dev/null
        return
    fi
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "${_tasklint_options[*]}"$'\n--' -- "$cur"))
        return
    fi
    case $command in
        baseline)
            if ((${#args[@]} == 0)); then
                COMPREPLY=($(compgen -W $'set\nexport' -- "$cur"))
            elif [[ ${args[0]} == export && ${#args[@]} == 1 ]]; then
                COMPREPLY=($(compgen -f -- "$cur"))
                compopt -o filenames 2>/dev/null
            fi
            return
            ;;
        triage)
            # FINGERPRINT STATE REASON
            ((${#args[@]} == 1)) && COMPREPLY=($(compgen -W $'false-positive\nintentional\nconfirmed' -- "$cur"))
            return
            ;;
        runs | diff | report | gc | lsp) return ;;
        link)
            COMPREPLY=($(compgen -f -- "$cur"))
            compopt -o filenames 2>/dev/null
            return
            ;;
    esac
    # PATHs: C files and directories; the first word may also be a subcommand
    COMPREPLY=($(compgen -d -- "$cur") $(compgen -f -X '!*.c' -- "$cur"))
    [[ -z $command ]] && COMPREPLY+=($(compgen -W "${_tasklint_commands[*]}" -- "$cur"))
    compopt -o filenames 2>/dev/null
}
complete -F _tasklint tasklint
