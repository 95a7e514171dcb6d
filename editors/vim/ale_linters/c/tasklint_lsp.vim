" ALE linter for tasklint's language server (`tasklint lsp`), through ALE's
" LSP mode (see editors/README.md).  Diagnostics as you type and on save,
" with the rule id as `code`; :ALEHover shows the rule's explanation,
" :ALECodeAction offers a tasklint-ignore-next-line comment.
"
" Put editors/vim on 'runtimepath' (or copy this file to
" ~/.vim/ale_linters/c/tasklint_lsp.vim) and enable it:
"     let g:ale_linters = {'c': ['tasklint_lsp']}
"
" Options (buffer-local b: variables win over g:):
"   g:ale_c_tasklint_lsp_executable  default 'tasklint'
"   g:ale_c_tasklint_lsp_options     extra options, e.g. '--profile=strict'
"
" One server per project root: the nearest directory with a
" compile_commands.json (or build/compile_commands.json), a .tasklint.yaml
" or a .git, else the file's directory.

call ale#Set('c_tasklint_lsp_executable', 'tasklint')
call ale#Set('c_tasklint_lsp_options', '')

function! ale_linters#c#tasklint_lsp#ProjectRoot(buffer) abort
    let l:dir = fnamemodify(bufname(a:buffer), ':p:h')
    let l:start = l:dir
    while 1
        for l:marker in ['compile_commands.json', 'build/compile_commands.json', '.tasklint.yaml', '.git']
            if filereadable(l:dir . '/' . l:marker) || isdirectory(l:dir . '/' . l:marker)
                return l:dir
            endif
        endfor
        let l:parent = fnamemodify(l:dir, ':h')
        if l:parent ==# l:dir
            return l:start
        endif
        let l:dir = l:parent
    endwhile
endfunction

function! ale_linters#c#tasklint_lsp#Command(buffer) abort
    let l:options = ale#Var(a:buffer, 'c_tasklint_lsp_options')
    return '%e lsp' . (empty(l:options) ? '' : ' ' . l:options)
endfunction

call ale#linter#Define('c', {
\   'name': 'tasklint_lsp',
\   'lsp': 'stdio',
\   'executable': {b -> ale#Var(b, 'c_tasklint_lsp_executable')},
\   'command': function('ale_linters#c#tasklint_lsp#Command'),
\   'project_root': function('ale_linters#c#tasklint_lsp#ProjectRoot'),
\})
