" ALE linter definition for tasklint (see editors/README.md).
"
" Put editors/vim on 'runtimepath' (or copy this file to
" ~/.vim/ale_linters/c/tasklint.vim) and enable it:
"     let g:ale_linters = {'c': ['tasklint']}        " or add it to your list
"
" tasklint analyses files on disk, so ALE runs it when the buffer is saved
" (lint_file).  When a compile_commands.json that lists the file is found in
" the file's directory or an ancestor (or in its build/ subdirectory), the
" file is analysed with -p and its own compiler flags.
"
" Options (buffer-local b: variables win over g:):
"   g:ale_c_tasklint_executable  default 'tasklint'
"   g:ale_c_tasklint_options     extra options, e.g. '--profile=strict'
"   g:ale_c_tasklint_use_db      1: let tasklint record runs in its findings
"                                store (default 0: --no-db when supported)
"
" Findings are warnings (type W) or errors (type E, e.g. clang errors) with
" the rule id as `code`; their path notes are info items (type I) at the
" note's place, and are also listed in the finding's `detail` (:ALEDetail).

call ale#Set('c_tasklint_executable', 'tasklint')
call ale#Set('c_tasklint_options', '')
call ale#Set('c_tasklint_use_db', 0)

let s:no_db_support = {}

" The compile_commands.json for a file: looked for in its directory and each
" ancestor, and in their build/ subdirectories.  '' when there is none.
function! ale_linters#c#tasklint#FindCompdb(file) abort
  let l:dir = fnamemodify(a:file, ':p:h')
  while 1
    for l:cand in [l:dir . '/compile_commands.json', l:dir . '/build/compile_commands.json']
      if filereadable(l:cand)
        return l:cand
      endif
    endfor
    let l:parent = fnamemodify(l:dir, ':h')
    if l:parent ==# l:dir
      return ''
    endif
    let l:dir = l:parent
  endwhile
endfunction

" Does the database list the file?  (Each entry's "file" is taken relative
" to its "directory", and a relative "directory" relative to the database.)
function! ale_linters#c#tasklint#CompdbLists(db, file) abort
  try
    let l:entries = json_decode(join(readfile(a:db), "\n"))
  catch
    return 0
  endtry
  if type(l:entries) != type([])
    return 0
  endif
  let l:dbdir = fnamemodify(a:db, ':p:h')
  let l:want = resolve(fnamemodify(a:file, ':p'))
  for l:e in l:entries
    if type(l:e) != type({}) || !has_key(l:e, 'file')
      continue
    endif
    let l:dir = get(l:e, 'directory', l:dbdir)
    if l:dir !~# '^/'
      let l:dir = l:dbdir . '/' . l:dir
    endif
    let l:f = l:e.file =~# '^/' ? l:e.file : l:dir . '/' . l:e.file
    if resolve(simplify(l:f)) ==# l:want
      return 1
    endif
  endfor
  return 0
endfunction

" The directory tasklint runs in: the database's project (the directory
" holding compile_commands.json, or the parent of build/), else the file's.
function! ale_linters#c#tasklint#Cwd(buffer) abort
  let l:file = fnamemodify(bufname(a:buffer), ':p')
  let l:db = ale_linters#c#tasklint#FindCompdb(l:file)
  if l:db !=# '' && ale_linters#c#tasklint#CompdbLists(l:db, l:file)
    let l:dir = fnamemodify(l:db, ':h')
    return fnamemodify(l:dir, ':t') ==# 'build' ? fnamemodify(l:dir, ':h') : l:dir
  endif
  return fnamemodify(l:file, ':h')
endfunction

function! ale_linters#c#tasklint#GetCommand(buffer) abort
  let l:exe = ale#Var(a:buffer, 'c_tasklint_executable')
  let l:cmd = '%e --color=never'
  if !ale#Var(a:buffer, 'c_tasklint_use_db')
    if !has_key(s:no_db_support, l:exe)
      let s:no_db_support[l:exe] = executable(l:exe) &&
            \ system(ale#Escape(l:exe) . ' --help') =~# '--no-db'
    endif
    if s:no_db_support[l:exe]
      let l:cmd .= ' --no-db'
    endif
  endif
  let l:file = fnamemodify(bufname(a:buffer), ':p')
  let l:db = ale_linters#c#tasklint#FindCompdb(l:file)
  if l:db !=# '' && ale_linters#c#tasklint#CompdbLists(l:db, l:file)
    let l:cmd .= ' -p ' . ale#Escape(l:db)
  endif
  let l:opts = ale#Var(a:buffer, 'c_tasklint_options')
  if l:opts !=# ''
    let l:cmd .= ' ' . l:opts
  endif
  return l:cmd . ' %s'
endfunction

" A finding's message ends with its rule id, and maybe more tags after it
" ("[orphaned-spawn] [new]").  Returns [message, rule, tags].
function! ale_linters#c#tasklint#SplitTags(msg) abort
  let l:msg = a:msg
  let l:tags = []
  while 1
    let l:m = matchlist(l:msg, '^\(.\{-}\)\s*\[\([A-Za-z0-9_.-]\+\)\]$')
    if empty(l:m)
      break
    endif
    call insert(l:tags, l:m[2])
    let l:msg = l:m[1]
  endwhile
  let l:states = ['new', 'unchanged', 'absent', 'fixed']
  let l:rule = ''
  for l:t in l:tags
    if index(l:states, l:t) < 0
      let l:rule = l:t
      break
    endif
  endfor
  return [l:msg, l:rule, filter(copy(l:tags), 'v:val !=# l:rule')]
endfunction

" Parses tasklint's gcc-style output.  Paths relative to `cwd` (the directory
" tasklint ran in) are made absolute.
function! ale_linters#c#tasklint#Parse(lines, cwd) abort
  let l:pattern = '\v^(.{-1,}):(\d+):(\d+): (warning|error|note): (.*)$'
  let l:items = []
  let l:parent = {}
  for l:line in a:lines
    let l:m = matchlist(l:line, l:pattern)
    if empty(l:m)
      continue
    endif
    let l:file = l:m[1] =~# '^/' ? l:m[1] : a:cwd . '/' . l:m[1]
    let l:item = {
          \ 'filename': simplify(l:file),
          \ 'lnum': str2nr(l:m[2]),
          \ 'col': str2nr(l:m[3]),
          \}
    if l:m[4] ==# 'note'
      if empty(l:parent)
        continue
      endif
      let l:item.type = 'I'
      let l:item.text = 'note: ' . l:m[5]
      if l:parent.code !=# ''
        let l:item.code = l:parent.code
      endif
      let l:parent.detail .= "\n" . fnamemodify(l:item.filename, ':t') . ':' . l:item.lnum
            \ . ':' . l:item.col . ': note: ' . l:m[5]
    else
      let [l:text, l:rule, l:tags] = ale_linters#c#tasklint#SplitTags(l:m[5])
      let l:item.type = l:m[4] ==# 'error' ? 'E' : 'W'
      let l:item.text = l:text . join(map(copy(l:tags), '" [" . v:val . "]"'), '')
      let l:item.code = l:rule
      let l:item.detail = l:m[5]
      let l:parent = l:item
    endif
    call add(l:items, l:item)
  endfor
  return l:items
endfunction

function! ale_linters#c#tasklint#Handle(buffer, lines) abort
  let l:cwd = ale_linters#c#tasklint#Cwd(a:buffer)
  let l:here = resolve(fnamemodify(bufname(a:buffer), ':p'))
  let l:items = ale_linters#c#tasklint#Parse(a:lines, l:cwd)
  for l:item in l:items
    " findings in the buffer's own file carry no filename (ALE's default)
    if resolve(l:item.filename) ==# l:here
      call remove(l:item, 'filename')
    endif
    if has_key(l:item, 'code') && l:item.code ==# ''
      call remove(l:item, 'code')
    endif
  endfor
  return l:items
endfunction

call ale#linter#Define('c', {
\   'name': 'tasklint',
\   'output_stream': 'stdout',
\   'executable': {b -> ale#Var(b, 'c_tasklint_executable')},
\   'cwd': function('ale_linters#c#tasklint#Cwd'),
\   'command': function('ale_linters#c#tasklint#GetCommand'),
\   'callback': 'ale_linters#c#tasklint#Handle',
\   'lint_file': 1,
\})
