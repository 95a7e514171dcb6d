-- nvim-lint linter definition for tasklint (see editors/README.md).
--
-- With editors/nvim on 'runtimepath' (or this file copied to
-- ~/.config/nvim/lua/lint/linters/tasklint.lua) nvim-lint finds it by name:
--
--   require('lint').linters_by_ft = { c = { 'tasklint' } }
--   vim.api.nvim_create_autocmd('BufWritePost', {
--     callback = function() require('lint').try_lint() end,
--   })
--
-- tasklint reads the file on disk, so lint after writing.  When a
-- compile_commands.json that lists the file is found in the file's directory
-- or an ancestor (or their build/), tasklint runs with -p and the file's own
-- compiler flags.  Findings become vim.diagnostic entries: severity WARN (or
-- ERROR for clang errors), code = the rule id, source = 'tasklint'; each path
-- note becomes a HINT at the note's place (code = the finding's rule) and is
-- listed in the finding's user_data.notes.
--
-- Options: vim.g.tasklint_use_db = true lets tasklint record runs in its
-- findings store (default: --no-db when the binary knows it).  Change the
-- binary with require('lint').linters.tasklint.cmd = '/path/to/tasklint'.
-- Works with Neovim 0.7 and newer.

local M = {}

local severity = vim.diagnostic.severity
local kinds = { error = severity.ERROR, warning = severity.WARN, note = severity.HINT }
-- tags that can follow the rule id and are not rule ids themselves
local states = { new = true, unchanged = true, absent = true, fixed = true }

local function is_abs(p)
  return p:sub(1, 1) == '/'
end

local function join(dir, p)
  if is_abs(p) then
    return p
  end
  return (dir:gsub('/+$', '')) .. '/' .. p
end

-- a path with '.' and '..' removed (and symlinks resolved when it exists)
local function normalize(p)
  local real = vim.loop.fs_realpath(p)
  if real then
    return real
  end
  return vim.fn.simplify(p)
end

local function readable(p)
  return vim.fn.filereadable(p) == 1
end

--- The compile_commands.json for a file: in its directory or an ancestor,
--- or in their build/ subdirectory.  nil when there is none.
function M.find_compdb(file)
  local dir = vim.fn.fnamemodify(file, ':p:h')
  while true do
    for _, cand in ipairs({ dir .. '/compile_commands.json', dir .. '/build/compile_commands.json' }) do
      if readable(cand) then
        return cand
      end
    end
    local parent = vim.fn.fnamemodify(dir, ':h')
    if parent == dir then
      return nil
    end
    dir = parent
  end
end

--- Does the database list the file?  ("file" relative to "directory", a
--- relative "directory" relative to the database.)
function M.compdb_lists(db, file)
  local ok, entries = pcall(function()
    return vim.json.decode(table.concat(vim.fn.readfile(db), '\n'))
  end)
  if not ok or type(entries) ~= 'table' then
    return false
  end
  local dbdir = vim.fn.fnamemodify(db, ':p:h')
  local want = normalize(vim.fn.fnamemodify(file, ':p'))
  for _, e in ipairs(entries) do
    if type(e) == 'table' and type(e.file) == 'string' then
      local dir = type(e.directory) == 'string' and join(dbdir, e.directory) or dbdir
      if normalize(join(dir, e.file)) == want then
        return true
      end
    end
  end
  return false
end

local no_db_support = {}
local function supports_no_db(exe)
  if no_db_support[exe] == nil then
    no_db_support[exe] = vim.fn.executable(exe) == 1
      and vim.fn.system({ exe, '--help' }):find('--no-db', 1, true) ~= nil
  end
  return no_db_support[exe]
end

--- "message [rule] [new]" -> "message", "rule", {"new"}
function M.split_tags(msg)
  local tags = {}
  while true do
    local rest, tag = msg:match('^(.-)%s*%[([%w_.-]+)%]$')
    if not rest then
      break
    end
    table.insert(tags, 1, tag)
    msg = rest
  end
  local rule
  local others = {}
  for _, t in ipairs(tags) do
    if not rule and not states[t] then
      rule = t
    else
      table.insert(others, t)
    end
  end
  return msg, rule, others
end

--- Every finding and note in tasklint's gcc-style output, for any file:
--- { filename (absolute), lnum, col (1-based, bytes), kind, message, rule,
---   tags, notes (findings only), parent (notes only) }.  Relative paths are
--- taken relative to `cwd`, the directory tasklint ran in.
function M.parse_output(output, cwd)
  cwd = cwd or vim.fn.getcwd()
  local items = {}
  local parent
  for line in vim.gsplit(output or '', '\n', true) do
    local file, l, c, kind, msg = line:match('^(.-):(%d+):(%d+): (%a+): (.*)$')
    if file and file ~= '' and kinds[kind] then
      local item = {
        filename = normalize(join(cwd, file)),
        lnum = tonumber(l),
        col = tonumber(c),
        kind = kind,
      }
      if kind == 'note' then
        if parent then
          item.message = msg
          item.rule = parent.rule
          item.parent = parent
          table.insert(parent.notes, item)
          table.insert(items, item)
        end
      else
        local text, rule, tags = M.split_tags(msg)
        item.message = text
        for _, t in ipairs(tags) do
          item.message = item.message .. ' [' .. t .. ']'
        end
        item.rule = rule
        item.tags = tags
        item.notes = {}
        parent = item
        table.insert(items, item)
      end
    end
  end
  return items
end

--- nvim-lint's parser: the diagnostics of `bufnr`'s file.
function M.parser(output, bufnr, linter_cwd)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  local here = normalize(vim.fn.fnamemodify(vim.api.nvim_buf_get_name(bufnr), ':p'))
  local diagnostics = {}
  for _, item in ipairs(M.parse_output(output, linter_cwd)) do
    if item.filename == here then
      local d = {
        lnum = item.lnum - 1,
        col = item.col - 1,
        end_lnum = item.lnum - 1,
        end_col = item.col - 1,
        severity = kinds[item.kind],
        source = 'tasklint',
        code = item.rule,
      }
      if item.kind == 'note' then
        d.message = 'note: ' .. item.message
      else
        d.message = item.message
        d.user_data = { notes = {} }
        for _, n in ipairs(item.notes) do
          table.insert(d.user_data.notes, {
            filename = n.filename, lnum = n.lnum - 1, col = n.col - 1, message = n.message,
          })
        end
      end
      table.insert(diagnostics, d)
    end
  end
  return diagnostics
end

--- The quickfix items of tasklint's output (for vim.fn.setqflist), notes
--- included as type 'N' entries.
function M.qf_items(output, cwd)
  local items = {}
  for _, item in ipairs(M.parse_output(output, cwd)) do
    local text = item.message
    if item.kind ~= 'note' and item.rule then
      text = text .. ' [' .. item.rule .. ']'
    end
    table.insert(items, {
      filename = item.filename, lnum = item.lnum, col = item.col,
      type = ({ error = 'E', warning = 'W', note = 'N' })[item.kind], text = text,
    })
  end
  return items
end

-- the linter table nvim-lint reads
M.name = 'tasklint'
M.cmd = 'tasklint'
M.stdin = false
M.append_fname = true
M.stream = 'stdout'
M.ignore_exitcode = true -- 1 means findings
M.args = {
  '--color=never',
  -- nvim-lint calls these when it runs the linter; each yields one argument
  -- ('--color=never' again when there is nothing to add)
  function()
    if vim.g.tasklint_use_db or not supports_no_db(M.cmd) then
      return '--color=never'
    end
    return '--no-db'
  end,
  function()
    local file = vim.api.nvim_buf_get_name(0)
    local db = M.find_compdb(file)
    if db and M.compdb_lists(db, file) then
      return '-p' .. db
    end
    return '--color=never'
  end,
}

return M
