" Vim compiler plugin for tasklint (https://github.com/ - see editors/README.md)
"
"   :compiler tasklint      then   :make %      (the current file)
"                                  :make        (with compile_commands.json:
"                                                the whole project)
"
" Findings become quickfix entries of type 'w' (warning) or 'e' (error, e.g.
" clang errors); the text ends with the rule id: "... [orphaned-spawn]".  The
" path notes that follow a finding ("the thread is still owned when returning
" here") become entries of their own, of type 'n' (note), so :cnext walks
" from a spawn to the exit where it leaks.  tasklint's own errors
" ("tasklint: error: ...") are kept as entries without a location.
"
" Options (set them before :compiler tasklint):
"   g:tasklint_executable  the binary (default: 'tasklint')
"   g:tasklint_args        extra options, e.g. '--profile=strict'
"   g:tasklint_compdb      directory of compile_commands.json; '' (default)
"                          looks in build/ and the current directory; 'none'
"                          never uses one
"   g:tasklint_use_db      1 to let tasklint record runs in its findings store
"                          (default 0: pass --no-db when tasklint knows it)

if exists('current_compiler')
  finish
endif
let current_compiler = 'tasklint'

if exists(':CompilerSet') != 2
  command -nargs=* CompilerSet setlocal <args>
endif

let s:cpo_save = &cpo
set cpo&vim

function! s:TasklintMakeprg() abort
  let l:exe = get(g:, 'tasklint_executable', 'tasklint')
  let l:parts = [l:exe, '--color=never']
  " --no-db: only when this tasklint has a findings store (checked once)
  if !get(g:, 'tasklint_use_db', 0)
    if !exists('s:has_no_db')
      let s:has_no_db = executable(l:exe) &&
            \ system(shellescape(l:exe) . ' --help') =~# '--no-db'
    endif
    if s:has_no_db
      call add(l:parts, '--no-db')
    endif
  endif
  let l:compdb = get(g:, 'tasklint_compdb', '')
  if l:compdb ==# ''
    for l:dir in ['build', '.']
      if filereadable(l:dir . '/compile_commands.json')
        let l:compdb = l:dir
        break
      endif
    endfor
  endif
  if l:compdb !=# '' && l:compdb !=# 'none'
    call extend(l:parts, ['-p', l:compdb])
  endif
  let l:extra = get(g:, 'tasklint_args', '')
  if l:extra !=# ''
    call add(l:parts, l:extra)
  endif
  " escape for :set
  return escape(join(map(l:parts, 'v:val =~# "^[-=A-Za-z0-9_./,+:]*$" ? v:val : shellescape(v:val)')), ' \|"')
endfunction

execute 'CompilerSet makeprg=' . s:TasklintMakeprg()

" gcc-style lines: file:line:col: warning|error|note: message [rule-id]
" Everything else (the source line, the caret, the summary) is dropped.
CompilerSet errorformat=
      \%f:%l:%c:\ %trror:\ %m,
      \%f:%l:%c:\ %tarning:\ %m,
      \%f:%l:%c:\ %tote:\ %m,
      \tasklint:\ %trror:\ %f:%l:%c:\ %m,
      \tasklint:\ %trror:\ %f:%l:\ %m,
      \tasklint:\ %trror:\ %m,
      \tasklint:\ %tarning:\ %m,
      \%-G%.%#

let &cpo = s:cpo_save
unlet s:cpo_save
