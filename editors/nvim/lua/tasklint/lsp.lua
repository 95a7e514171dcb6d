-- tasklint's language server (`tasklint lsp`) for Neovim's built-in LSP
-- client: diagnostics as you type and on save (the rule id as `code`),
-- hover with the rule's explanation, a code action that adds a
-- tasklint-ignore-next-line comment.
--
--   vim.opt.rtp:append('/path/to/tasklint/editors/nvim')
--   require('tasklint.lsp').setup()            -- C buffers get tasklint
--   require('tasklint.lsp').setup({ cmd = { 'tasklint', 'lsp', '--profile=strict' } })
--
-- One server per project root: the nearest directory with a
-- compile_commands.json (or build/compile_commands.json), a .tasklint.yaml
-- or a .git, else the file's directory.  Uses vim.lsp.start (Neovim 0.8+),
-- else vim.lsp.start_client and buf_attach_client (0.7).

local M = {}

M.defaults = {
  name = 'tasklint',
  cmd = { 'tasklint', 'lsp' },
  filetypes = { 'c' },
  root_markers = { 'compile_commands.json', 'build/compile_commands.json', '.tasklint.yaml', '.git' },
}

local clients = {} -- root -> client id (Neovim 0.7)

-- The project root of a file: the nearest ancestor holding a marker.
function M.root_dir(fname, markers)
  local dir = vim.fn.fnamemodify(fname, ':p:h')
  while true do
    for _, m in ipairs(markers) do
      if vim.loop.fs_stat(dir .. '/' .. m) then
        return dir
      end
    end
    local parent = vim.fn.fnamemodify(dir, ':h')
    if parent == dir then
      return vim.fn.fnamemodify(fname, ':p:h')
    end
    dir = parent
  end
end

-- Starts (or reuses) the server for a buffer's project and attaches it.
function M.start(bufnr, opts)
  opts = vim.tbl_extend('keep', opts or {}, M.defaults)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  local fname = vim.api.nvim_buf_get_name(bufnr)
  if fname == '' then
    return nil
  end
  local root = M.root_dir(fname, opts.root_markers)
  local config = { name = opts.name, cmd = opts.cmd, root_dir = root }
  if vim.lsp.start then
    return vim.api.nvim_buf_call(bufnr, function()
      return vim.lsp.start(config)
    end)
  end
  local id = clients[root]
  if not id or not vim.lsp.get_client_by_id(id) then
    id = vim.lsp.start_client(config)
    clients[root] = id
  end
  if id then
    vim.lsp.buf_attach_client(bufnr, id)
  end
  return id
end

-- A FileType autocommand: every C buffer gets the server.
function M.setup(opts)
  opts = vim.tbl_extend('keep', opts or {}, M.defaults)
  local group = vim.api.nvim_create_augroup('tasklint_lsp', { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = opts.filetypes,
    callback = function(ev)
      M.start(ev.buf, opts)
    end,
  })
end

return M
